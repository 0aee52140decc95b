/**
 * Deal and order pipelines (reference/hubspot.md §15, §8, §12). The default
 * deal pipeline is `default` with HubSpot's usual stage ids; pipelines
 * created through the API get numeric ids.
 */
import type { HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { Pipeline, PipelineCreate, PipelineStage } from '../../systems/hubspot/schemas.ts';
import { notFoundError, validationError } from './errors.ts';
import { isoString } from './property-values.ts';

export interface StageDef {
  id: string;
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
}

export interface PipelineDef {
  id: string;
  label: string;
  displayOrder: number;
  stages: StageDef[];
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
}

export const PIPELINE_OBJECT_TYPES = ['deals', 'orders'] as const satisfies readonly HubSpotObjectType[];
export type PipelineObjectType = (typeof PIPELINE_OBJECT_TYPES)[number];

/** §15: stage caps per object type. */
const MAX_STAGES: Record<PipelineObjectType, number> = { deals: 100, orders: 30 };

export function hasPipelines(type: HubSpotObjectType): type is PipelineObjectType {
  return (PIPELINE_OBJECT_TYPES as readonly string[]).includes(type);
}

/** The property holding the pipeline and the stage, per object type. */
export const PIPELINE_PROPERTIES: Record<PipelineObjectType, { pipeline: string; stage: string }> = {
  deals: { pipeline: 'pipeline', stage: 'dealstage' },
  orders: { pipeline: 'hs_pipeline', stage: 'hs_pipeline_stage' },
};

function stage(id: string, label: string, displayOrder: number, metadata: Record<string, string>): StageDef {
  // §15: default pipelines have createdAt = epoch 0.
  return { id, label, displayOrder, metadata, createdAt: 0, updatedAt: 0, archived: false };
}

function defaults(): Record<PipelineObjectType, PipelineDef[]> {
  const deal = (probability: string, isClosed = false) => ({ isClosed: String(isClosed), probability });
  return {
    deals: [
      {
        id: 'default',
        label: 'Sales Pipeline',
        displayOrder: 0,
        createdAt: 0,
        updatedAt: 0,
        archived: false,
        // §8: the default sales pipeline's stage ids and probabilities.
        stages: [
          stage('appointmentscheduled', 'Appointment Scheduled', 0, deal('0.2')),
          stage('qualifiedtobuy', 'Qualified To Buy', 1, deal('0.4')),
          stage('presentationscheduled', 'Presentation Scheduled', 2, deal('0.6')),
          stage('decisionmakerboughtin', 'Decision Maker Bought-In', 3, deal('0.8')),
          stage('contractsent', 'Contract Sent', 4, deal('0.9')),
          stage('closedwon', 'Closed Won', 5, deal('1.0', true)),
          stage('closedlost', 'Closed Lost', 6, deal('0.0', true)),
        ],
      },
    ],
    orders: [
      {
        id: 'default',
        label: 'Orders Pipeline',
        displayOrder: 0,
        createdAt: 0,
        updatedAt: 0,
        archived: false,
        stages: [
          stage('open', 'Open', 0, { state: 'OPEN' }),
          stage('processed', 'Processed', 1, { state: 'OPEN' }),
          stage('shipped', 'Shipped', 2, { state: 'OPEN' }),
          stage('delivered', 'Delivered', 3, { state: 'CLOSED' }),
          stage('cancelled', 'Cancelled', 4, { state: 'CLOSED' }),
        ],
      },
    ],
  };
}

export class Pipelines {
  private readonly byType = defaults();
  private nextId = 75_000_001;

  constructor(private readonly now: () => number) {}

  list(type: PipelineObjectType, archived = false): PipelineDef[] {
    return this.byType[type].filter((p) => p.archived === archived);
  }

  get(type: PipelineObjectType, id: string): PipelineDef | undefined {
    return this.byType[type].find((p) => p.id === id && !p.archived);
  }

  require(type: PipelineObjectType, id: string): PipelineDef {
    const pipeline = this.get(type, id);
    if (!pipeline) throw notFoundError(`Unable to find pipeline ${id}`);
    return pipeline;
  }

  /** The pipeline used when a record names none (§8: `default` for deals). */
  defaultPipeline(type: PipelineObjectType): PipelineDef {
    return this.list(type)[0]!;
  }

  stage(pipeline: PipelineDef, stageId: string): StageDef | undefined {
    return pipeline.stages.find((s) => s.id === stageId && !s.archived);
  }

  create(type: PipelineObjectType, input: PipelineCreate): PipelineDef {
    if (input.stages.length > MAX_STAGES[type]) {
      throw validationError(`A ${type} pipeline can have at most ${MAX_STAGES[type]} stages.`);
    }
    const labels = input.stages.map((s) => s.label);
    const duplicate = labels.find((l, i) => labels.indexOf(l) !== i);
    if (duplicate !== undefined) throw validationError(`Stage label "${duplicate}" is used more than once; stage labels must be unique within a pipeline.`);
    if (this.list(type).some((p) => p.label === input.label)) {
      throw validationError(`A pipeline labelled "${input.label}" already exists.`);
    }
    const now = this.now();
    const stages = input.stages.map((s): StageDef => {
      const metadata = { ...(s.metadata ?? {}) };
      if (type === 'deals') {
        // §15: deal stages need metadata.probability between 0.0 and 1.0 in steps of 0.1.
        const p = metadata.probability;
        const n = p === undefined ? NaN : Number(p);
        if (!Number.isFinite(n) || n < 0 || n > 1 || Math.abs(n * 10 - Math.round(n * 10)) > 1e-9) {
          throw validationError(`Deal stage "${s.label}" needs metadata.probability between 0.0 and 1.0 in steps of 0.1.`);
        }
        metadata.probability = n.toFixed(1);
        metadata.isClosed = metadata.isClosed ?? String(n === 0 || n === 1);
      }
      return { id: String(this.nextId++), label: s.label, displayOrder: s.displayOrder, metadata, createdAt: now, updatedAt: now, archived: false };
    });
    const pipeline: PipelineDef = {
      id: String(this.nextId++),
      label: input.label,
      displayOrder: input.displayOrder,
      stages,
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    this.byType[type].push(pipeline);
    return pipeline;
  }

  update(type: PipelineObjectType, id: string, patch: { label?: string | undefined; displayOrder?: number | undefined }): PipelineDef {
    const pipeline = this.require(type, id);
    if (patch.label !== undefined) pipeline.label = patch.label;
    if (patch.displayOrder !== undefined) pipeline.displayOrder = patch.displayOrder;
    pipeline.updatedAt = this.now();
    return pipeline;
  }

  archive(type: PipelineObjectType, id: string): void {
    const pipeline = this.require(type, id);
    pipeline.archived = true;
    pipeline.archivedAt = this.now();
  }

  render(pipeline: PipelineDef): Pipeline {
    return {
      id: pipeline.id,
      label: pipeline.label,
      displayOrder: pipeline.displayOrder,
      stages: [...pipeline.stages].filter((s) => !s.archived).sort((a, b) => a.displayOrder - b.displayOrder).map(renderStage),
      createdAt: isoString(pipeline.createdAt),
      updatedAt: isoString(pipeline.updatedAt),
      archived: pipeline.archived,
      ...(pipeline.archivedAt !== undefined ? { archivedAt: isoString(pipeline.archivedAt) } : {}),
    };
  }
}

export function renderStage(s: StageDef): PipelineStage {
  return {
    id: s.id,
    label: s.label,
    displayOrder: s.displayOrder,
    metadata: s.metadata,
    createdAt: isoString(s.createdAt),
    updatedAt: isoString(s.updatedAt),
    archived: s.archived,
    writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  };
}
