/**
 * Per-object rules on create and update (reference/hubspot.md §3 required
 * properties, §8 deals and pipelines, §10 line items, §11 payments, §12
 * orders, §13 notes; invoices in invoice-rules.ts) and the values HubSpot
 * derives from a record's own properties.
 */
import { OBJECT_TYPES, type HubSpotObjectType } from '../../systems/hubspot/object-types.ts';
import type { InvoiceRules } from './invoice-rules.ts';
import { PIPELINE_PROPERTIES, hasPipelines, type Pipelines } from './pipelines.ts';
import {
  formatMoney,
  formatNumber,
  propertyValuesError,
  required,
  type ValueProblem,
} from './property-values.ts';
import type { RecordStore, StoredRecord } from './record-store.ts';

/** Line item values copied from the product named by `hs_product_id` (§10). */
const PRODUCT_FIELDS = ['name', 'description', 'price', 'hs_sku', 'hs_cost_of_goods_sold', 'recurringbillingfrequency', 'hs_recurring_billing_period'];

function num(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export class ObjectRules {
  constructor(
    private readonly stores: ReadonlyMap<HubSpotObjectType, RecordStore>,
    private readonly pipelines: Pipelines,
    private readonly invoices: InvoiceRules,
    private readonly now: () => number,
    private readonly portalId: () => number,
  ) {}

  gate(type: HubSpotObjectType): void {
    this.invoices.gate(type);
  }

  /** Values HubSpot fills in on a new record before checking what is required. */
  defaults(type: HubSpotObjectType, props: Map<string, string>): void {
    if (hasPipelines(type)) {
      const names = PIPELINE_PROPERTIES[type];
      // §8: a deal without a pipeline goes to the default pipeline.
      if (!props.has(names.pipeline)) props.set(names.pipeline, this.pipelines.defaultPipeline(type).id);
      if (type === 'orders' && !props.has(names.stage)) {
        const pipeline = this.pipelines.get(type, props.get(names.pipeline)!);
        const first = pipeline?.stages.find((s) => !s.archived);
        if (first) props.set(names.stage, first.id);
      }
    }
    switch (type) {
      case 'invoices':
        this.invoices.invoiceDefaults(props, this.now());
        break;
      case 'commerce_payments':
        // §11: a new payment comes back as processing.
        if (!props.has('hs_latest_status')) props.set('hs_latest_status', 'processing');
        if (!props.has('hs_processor_type')) props.set('hs_processor_type', 'none');
        break;
      case 'orders':
        if (!props.has('hs_exchange_rate')) props.set('hs_exchange_rate', '1');
        break;
      case 'line_items':
        this.copyProduct(props);
        if (!props.has('quantity')) props.set('quantity', '1');
        break;
    }
  }

  private copyProduct(props: Map<string, string>): void {
    const productId = props.get('hs_product_id');
    if (productId === undefined) return;
    const product = this.stores.get('products')!.find(productId);
    if (!product) {
      throw propertyValuesError(this.portalId(), [
        { name: 'hs_product_id', error: 'INVALID_PRODUCT_ID', message: `Product ${productId} does not exist` },
      ]);
    }
    for (const name of PRODUCT_FIELDS) {
      const value = product.props.get(name);
      if (value !== undefined && !props.has(name)) props.set(name, value);
    }
  }

  /** §3 table: properties a create must carry. */
  missingRequired(type: HubSpotObjectType, props: ReadonlyMap<string, string>): ValueProblem[] {
    const { allOf = [], anyOf = [] } = OBJECT_TYPES[type].requiredToCreate;
    const problems = allOf.filter((name) => !props.has(name)).map((name) => required(name));
    if (anyOf.length > 0 && !anyOf.some((name) => props.has(name))) {
      problems.push(required(anyOf.join(','), `At least one of the properties ${anyOf.join(', ')} is required`));
    }
    return problems;
  }

  private checkStage(type: HubSpotObjectType, props: ReadonlyMap<string, string | undefined>): void {
    if (!hasPipelines(type)) return;
    const names = PIPELINE_PROPERTIES[type];
    const pipelineId = props.get(names.pipeline);
    const stageId = props.get(names.stage);
    if (pipelineId === undefined) throw propertyValuesError(this.portalId(), [required(names.pipeline)]);
    const pipeline = this.pipelines.get(type, pipelineId);
    if (!pipeline) {
      const ids = this.pipelines.list(type).map((p) => p.id);
      throw propertyValuesError(this.portalId(), [
        { name: names.pipeline, error: 'INVALID_OPTION', message: `${pipelineId} was not one of the allowed options: [${ids.join(', ')}]` },
      ]);
    }
    if (stageId === undefined) throw propertyValuesError(this.portalId(), [required(names.stage)]);
    if (!this.pipelines.stage(pipeline, stageId)) {
      const ids = pipeline.stages.filter((s) => !s.archived).map((s) => s.id);
      throw propertyValuesError(this.portalId(), [
        {
          name: names.stage,
          error: 'INVALID_OPTION',
          message: `${stageId} was not one of the allowed options for pipeline ${pipeline.id}: [${ids.join(', ')}]`,
        },
      ]);
    }
  }

  private checkPrice(props: ReadonlyMap<string, string | undefined>): void {
    const price = num(props.get('price'));
    // §10: price must not be negative.
    if (price !== undefined && price < 0) {
      throw propertyValuesError(this.portalId(), [{ name: 'price', error: 'INVALID_DECIMAL', message: `price must not be negative (got ${price}).` }]);
    }
  }

  checkCreate(type: HubSpotObjectType, props: ReadonlyMap<string, string>, inline: { contacts: number; lineItems: number }): void {
    const missing = this.missingRequired(type, props);
    if (missing.length > 0) throw propertyValuesError(this.portalId(), missing);
    this.checkStage(type, props);
    if (type === 'line_items' || type === 'products') this.checkPrice(props);
    if (type === 'invoices') this.invoices.checkCreate(props, inline);
  }

  /** `changes` maps names to new values (`undefined` clears). */
  checkUpdate(type: HubSpotObjectType, record: StoredRecord, changes: ReadonlyMap<string, string | undefined>): void {
    const { allOf = [] } = OBJECT_TYPES[type].requiredToCreate;
    const cleared = allOf.filter((name) => changes.has(name) && changes.get(name) === undefined);
    if (cleared.length > 0) {
      throw propertyValuesError(this.portalId(), cleared.map((name) => required(name, `Property "${name}" is required and cannot be cleared`)));
    }
    if (hasPipelines(type)) {
      const names = PIPELINE_PROPERTIES[type];
      if (changes.has(names.pipeline) || changes.has(names.stage)) {
        const merged = new Map<string, string | undefined>(record.props);
        for (const [name, value] of changes) merged.set(name, value);
        this.checkStage(type, merged);
      }
    }
    if (type === 'line_items' || type === 'products') this.checkPrice(changes);
    if (type === 'invoices') {
      if (changes.has('hs_currency') && changes.get('hs_currency') === undefined) {
        throw propertyValuesError(this.portalId(), [required('hs_currency', 'Property "hs_currency" is required and cannot be cleared')]);
      }
      if (changes.has('hs_invoice_status')) this.invoices.checkStatusChange(record, changes.get('hs_invoice_status'));
    }
  }

  checkArchive(record: StoredRecord): void {
    if (record.type === 'invoices') this.invoices.checkArchive(record);
  }

  /**
   * Values derived from the record's own properties (`props` is the state
   * after the write): line item net price, deal stage probability, payment
   * net amount, contact email domain, note preview.
   */
  derive(type: HubSpotObjectType, props: ReadonlyMap<string, string>): Map<string, string | undefined> {
    const out = new Map<string, string | undefined>();
    switch (type) {
      case 'contacts': {
        const email = props.get('email');
        out.set('hs_email_domain', email?.includes('@') ? email.slice(email.indexOf('@') + 1) : undefined);
        break;
      }
      case 'deals': {
        const pipeline = this.pipelines.get('deals', props.get('pipeline') ?? '');
        const stage = pipeline ? this.pipelines.stage(pipeline, props.get('dealstage') ?? '') : undefined;
        if (!stage) break;
        const probability = Number(stage.metadata.probability ?? '0');
        const closed = stage.metadata.isClosed === 'true';
        out.set('hs_deal_stage_probability', formatNumber(probability));
        out.set('hs_is_closed', String(closed));
        out.set('hs_is_closed_won', String(closed && probability >= 1));
        out.set('hs_is_closed_lost', String(closed && probability <= 0));
        break;
      }
      case 'line_items': {
        const price = num(props.get('price'));
        const quantity = num(props.get('quantity')) ?? 1;
        if (price === undefined) {
          out.set('amount', undefined);
          break;
        }
        // §10: net price = quantity × unit price, less discounts.
        const unit = price - (num(props.get('discount')) ?? 0);
        const percent = num(props.get('hs_discount_percentage')) ?? 0;
        out.set('amount', formatMoney(quantity * unit * (1 - percent / 100)));
        break;
      }
      case 'commerce_payments': {
        const gross = num(props.get('hs_initial_amount'));
        if (gross === undefined) break;
        const net = gross - (num(props.get('hs_fees_amount')) ?? 0) - (num(props.get('hs_refunds_amount')) ?? 0);
        out.set('hs_net_amount', formatMoney(net));
        break;
      }
      case 'notes': {
        const body = props.get('hs_note_body');
        out.set('hs_body_preview', body === undefined ? undefined : body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200));
        break;
      }
    }
    return out;
  }
}
