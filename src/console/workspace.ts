/**
 * What every console service shares: a caller's workspace and what belongs
 * to it. A connection belongs to its workspace; a flow, its runs, records and
 * dead letters belong to the workspace of the flow's source connection (a
 * flow key is `<flow>:<source connection id>:<target connection id>`).
 * Anything of another workspace answers `not_found`, exactly as if it did not
 * exist, so that ids cannot be probed across workspaces.
 */
import { ConnectorError } from '../core/errors.ts';
import type { Installation } from '../app/installation.ts';

export interface FlowKeyParts {
  flow: string;
  source: string;
  target: string;
}

export function parseFlowKey(flowKey: string): FlowKeyParts | undefined {
  const [flow, source, target, ...rest] = flowKey.split(':');
  if (!flow || !source || !target || rest.length > 0) return undefined;
  return { flow, source, target };
}

export const flowKeyOf = (flow: string, source: string, target: string): string => `${flow}:${source}:${target}`;

/** The ids of the workspace's connections: whatever reads from one of them is the workspace's. */
export async function workspaceConnectionIds(installation: Installation, workspace: string): Promise<Set<string>> {
  return new Set((await installation.connections.list(workspace)).map((c) => c.id));
}

/** Whether a flow key reads from one of these connections. */
export function flowInWorkspace(flowKey: string, connectionIds: ReadonlySet<string>): boolean {
  const parts = parseFlowKey(flowKey);
  return parts !== undefined && connectionIds.has(parts.source);
}

export function notFound(code: string, message: string, details: Record<string, unknown> = {}): ConnectorError {
  return new ConnectorError({ kind: 'not_found', code, message, details });
}

export function invalid(code: string, field: string, message: string): ConnectorError {
  return new ConnectorError({ kind: 'validation', code, message: `${field}: ${message}`, details: { fields: [field] } });
}
