/**
 * The HubSpot sandbox's data plane: one portal's records, associations,
 * properties, pipelines and flows, seeded deterministically, with the change
 * events webhooks listen to. Routes (routes.ts) and the admin surface work
 * through it; time comes only from the injected clock.
 */
import type { Clock } from '../../core/clock.ts';
import { HUBSPOT_OBJECT_TYPES, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { PropertyOption } from '../../systems/hubspot/schemas.ts';
import { AssociationGraph } from './association-graph.ts';
import { AssociationLabels } from './association-labels.ts';
import { AssociationService } from './association-service.ts';
import type { ChangeEvent, PortalSettings } from './context.ts';
import { Flows } from './flows.ts';
import { InvoiceRules } from './invoice-rules.ts';
import { ObjectRules } from './object-rules.ts';
import { ObjectService } from './object-service.ts';
import { hasPipelines, Pipelines } from './pipelines.ts';
import type { PropertyDef } from './property-catalog.ts';
import { PropertyRegistry } from './property-registry.ts';
import { RecordStore } from './record-store.ts';
import { RecordWriter, type WriteContext } from './record-writer.ts';
import { SearchService } from './search.ts';
import { seedPortal, type SeedSize } from './seed.ts';

/** One record for bulkInsert: property values, and optional times as epoch ms or ISO-8601. */
export type BulkRecord = {
  properties: Record<string, string | number | boolean | null>;
  createdAt?: number | string;
  updatedAt?: number | string;
};

export interface HubSpotDataOptions {
  clock: Clock;
  settings: PortalSettings;
  seed: number | string;
  size: SeedSize;
}

/** Everything reset() rebuilds. */
interface Portal {
  stores: Map<HubSpotObjectType, RecordStore>;
  registry: PropertyRegistry;
  pipelines: Pipelines;
  graph: AssociationGraph;
  labels: AssociationLabels;
  writer: RecordWriter;
  invoices: InvoiceRules;
  rules: ObjectRules;
  associations: AssociationService;
  objects: ObjectService;
  search: SearchService;
}

export class HubSpotData {
  readonly clock: Clock;
  /** Mutable: the admin surface changes tier, invoice/payment switches and the search delay at run time. */
  readonly settings: PortalSettings;
  readonly flows = new Flows();
  private readonly seed: number | string;
  private readonly size: SeedSize;
  /** Seed timestamps are relative to this instant, fixed at construction so that reset() repeats them. */
  private readonly seededAt: number;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  /** Seeding emits no events and skips derived-value hooks. */
  private quiet = false;
  private portal!: Portal;

  constructor(options: HubSpotDataOptions) {
    this.clock = options.clock;
    this.settings = options.settings;
    this.seed = options.seed;
    this.size = options.size;
    this.seededAt = options.clock.now();
    this.build();
  }

  get stores(): ReadonlyMap<HubSpotObjectType, RecordStore> {
    return this.portal.stores;
  }
  get properties(): PropertyRegistry {
    return this.portal.registry;
  }
  get pipelines(): Pipelines {
    return this.portal.pipelines;
  }
  get associations(): AssociationService {
    return this.portal.associations;
  }
  get objects(): ObjectService {
    return this.portal.objects;
  }
  get search(): SearchService {
    return this.portal.search;
  }

  /** Back to the seeded state (settings and listeners are kept). */
  reset(): void {
    this.build();
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Admin seeding that bypasses the API's limits and required-property
   * rules: `records[i]` is `{properties, createdAt?, updatedAt?}` (times as
   * epoch ms or ISO). Returns the new ids in order.
   */
  bulkInsert(type: HubSpotObjectType, records: ReadonlyArray<BulkRecord | Record<string, unknown>>): string[] {
    return this.portal.objects.bulkInsert(type, records);
  }

  /** Active (not archived) records of a type. */
  count(type: HubSpotObjectType): number {
    return this.portal.stores.get(type)!.count();
  }

  private emit(event: ChangeEvent): void {
    if (this.quiet) return;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('HubSpot sandbox change listener failed:', error instanceof Error ? error.message : String(error));
      }
    }
  }

  private build(): void {
    const now = () => this.clock.now();
    const stores = new Map(HUBSPOT_OBJECT_TYPES.map((type) => [type, new RecordStore(type)] as const));
    const pipelines = new Pipelines(now);
    const optionsFor = (type: HubSpotObjectType, def: PropertyDef): PropertyOption[] => {
      if (!hasPipelines(type)) return [];
      const list = pipelines.list(type);
      if (def.dynamicOptions === 'pipelines') {
        return list.map((p) => ({ label: p.label, value: p.id, displayOrder: p.displayOrder, hidden: false }));
      }
      return list.flatMap((p) => p.stages.map((s) => ({ label: s.label, value: s.id, displayOrder: s.displayOrder, hidden: false, description: `${p.label} pipeline` })));
    };
    const registry = new PropertyRegistry(now, optionsFor);
    const graph = new AssociationGraph();
    const labels = new AssociationLabels();
    const writer = new RecordWriter(stores, this.clock, this.settings, (e) => this.emit(e));
    const invoices = new InvoiceRules(stores, graph, writer, this.settings);
    const rules = new ObjectRules(stores, pipelines, invoices, now, () => this.settings.portalId);
    const late: { objects?: ObjectService } = {};
    const associations = new AssociationService(stores, graph, labels, this.clock, (e) => this.emit(e), (pair, ctx) => {
      if (this.quiet) return;
      invoices.afterPairChange(pair.fromType, pair.fromId, pair.toType, pair.toId, ctx);
      late.objects?.afterPairChange(pair.fromType, pair.fromId, pair.toType, pair.toId, ctx);
    });
    const objects = new ObjectService(stores, registry, associations, rules, invoices, writer, this.settings);
    late.objects = objects;
    const search = new SearchService(stores, registry, graph, objects, this.settings, this.clock);
    this.portal = { stores, registry, pipelines, graph, labels, writer, invoices, rules, associations, objects, search };
    this.seedData();
  }

  private seedData(): void {
    const { writer, rules, associations, labels, stores, graph } = this.portal;
    const ctx: WriteContext = { source: 'CRM_UI' };
    this.quiet = true;
    try {
      seedPortal(
        {
          insert: (type, values, createdAt, updatedAt) => {
            const props = new Map(Object.entries(values));
            rules.defaults(type, props);
            for (const [name, value] of rules.derive(type, props)) {
              if (value === undefined) props.delete(name);
              else props.set(name, value);
            }
            return writer.insert(type, props, ctx, { createdAt, updatedAt, history: false, objectSource: 'IMPORT', indexNow: true }).id;
          },
          associate: (fromType, fromId, toType, toId, typeIds) => {
            const infos = typeIds.map((id) => labels.find(fromType, toType, id)!);
            associations.add({ fromType, fromId, toType, toId }, infos, ctx);
          },
        },
        { seed: this.seed, size: this.size, now: this.seededAt },
      );
      // Derived counts are part of the seeded state, not a later change.
      for (const company of stores.get('companies')!.all()) {
        company.props.set('num_associated_contacts', String(graph.targets('companies', company.id, 'contacts').size));
      }
    } finally {
      this.quiet = false;
    }
  }
}
