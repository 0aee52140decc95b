/**
 * /api/systems and /api/connections: the systems one can connect to, and the
 * workspace's connections — create, test, rotate credentials, delete — plus a
 * connection's agent tools (preview, edit a description). Secrets go in and
 * never come back out.
 */
import { z } from '@hono/zod-openapi';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  systemsCatalog,
  testConnection,
  updateCredentials,
} from '../../console/connections-service.ts';
import { createToolService } from '../../tools/tool-service.ts';
import { route, type ApiApp, type RouteDeps } from './route-kit.ts';
import { Connection, ConnectionTest, CredentialsUpdate, DeletedConnection, NewConnection, SystemCatalogEntry, ToolDescriptionPatch, ToolListing } from './schemas.ts';

const IdParam = z.object({ id: z.string().min(1).describe('The connection’s id (or its name in the workspace)') });
const ToolParams = IdParam.extend({ name: z.string().min(1).describe('The tool’s name') });
const tags = ['connections'];

export function registerConnectionRoutes(api: ApiApp, { installation, guard }: RouteDeps): void {
  const tools = createToolService(installation);

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/systems',
      tags,
      summary: 'The systems one can connect to, with the fields of each one’s connection form',
      answer: { status: 200, schema: z.object({ systems: z.array(SystemCatalogEntry) }), description: 'Every system' },
    },
    () => ({ systems: systemsCatalog() }),
  );

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/connections',
      tags,
      summary: 'The workspace’s connections (never a secret)',
      answer: { status: 200, schema: z.object({ connections: z.array(Connection) }), description: 'The connections' },
    },
    async ({ workspace }) => ({ connections: await listConnections(installation, workspace) }),
  );

  route(
    api,
    guard,
    {
      method: 'post',
      path: '/api/connections',
      tags,
      summary: 'Stores a connection; its config is checked against the system’s schema first, and nothing is stored if it fails',
      body: NewConnection,
      answer: { status: 201, schema: z.object({ connection: Connection }), description: 'Stored, untested' },
      errors: [400, 409],
    },
    async ({ workspace, body }) => ({ connection: await createConnection(installation, workspace, body) }),
  );

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/connections/{id}',
      tags,
      summary: 'One connection',
      params: IdParam,
      answer: { status: 200, schema: z.object({ connection: Connection }), description: 'The connection' },
      errors: [404],
    },
    async ({ workspace, params }) => ({ connection: await getConnection(installation, workspace, params.id) }),
  );

  route(
    api,
    guard,
    {
      method: 'delete',
      path: '/api/connections/{id}',
      tags,
      summary: 'Deletes a connection; refused while an enabled flow uses it (disabled flows that use it go with it)',
      params: IdParam,
      answer: { status: 200, schema: DeletedConnection, description: 'Deleted' },
      errors: [404, 409],
    },
    ({ workspace, params }) => deleteConnection(installation, workspace, params.id),
  );

  route(
    api,
    guard,
    {
      method: 'post',
      path: '/api/connections/{id}/test',
      tags,
      summary: 'Pings the system with the stored credentials and records the outcome as the connection’s status',
      params: IdParam,
      answer: { status: 200, schema: ConnectionTest, description: 'What was checked (ok false when a check failed)' },
      errors: [404],
    },
    ({ workspace, params }) => testConnection(installation, workspace, params.id),
  );

  route(
    api,
    guard,
    {
      method: 'put',
      path: '/api/connections/{id}/credentials',
      tags,
      summary: 'Rotates credentials or changes settings: secrets left out keep their stored value; the connection goes back to untested',
      params: IdParam,
      body: CredentialsUpdate,
      answer: { status: 200, schema: z.object({ connection: Connection }), description: 'Updated, untested' },
      errors: [400, 404],
    },
    async ({ workspace, params, body }) => ({ connection: await updateCredentials(installation, workspace, params.id, body.config) }),
  );

  route(
    api,
    guard,
    {
      method: 'get',
      path: '/api/connections/{id}/tools',
      tags: ['tools'],
      summary: 'The agent tools of a connection, as GET /integrated-account/{id}/tools lists them',
      params: IdParam,
      answer: { status: 200, schema: z.object({ readOnly: z.boolean(), tools: z.array(ToolListing) }), description: 'The tools' },
      errors: [404],
    },
    async ({ workspace, params }) => {
      const account = await tools.account(params.id, workspace);
      return { readOnly: account.readOnly, tools: await tools.list(account) };
    },
  );

  route(
    api,
    guard,
    {
      method: 'patch',
      path: '/api/connections/{id}/tools/{name}',
      tags: ['tools'],
      summary: 'Edits a tool’s description for this connection (null restores the catalog’s); the next tool listing shows it',
      params: ToolParams,
      body: ToolDescriptionPatch,
      answer: { status: 200, schema: z.object({ tool: ToolListing }), description: 'The tool as listed now' },
      errors: [400, 404],
    },
    async ({ workspace, params, body }) => {
      const account = await tools.account(params.id, workspace);
      return { tool: await tools.describe(account, params.name, body.description) };
    },
  );
}
