/**
 * The reverse seed `hubspot-to-acumatica` (an option of acumatica-to-hubspot,
 * off by default): a HubSpot deal moved to closed-won whose company has no
 * Acumatica customer yet creates that customer, with its main contact, in
 * Acumatica, and links the two so the forward flow updates that company
 * instead of creating another. A company gets one customer however often its
 * deal changes stage: the link is checked first, and the customer's id is
 * derived from the company's, so even a retry after a lost answer updates
 * the customer it already made.
 */
import { ConnectorError, serializeError } from '../core/errors.ts';
import { loadCursor, saveCursor, saveLinks } from '../engine/engine-state.ts';
import { emptyCounts, finishRun, startRun } from '../engine/runs.ts';
import { AcumaticaClient } from '../systems/acumatica/client.ts';
import { AcumaticaConnectionSchema, tenantOf } from '../systems/acumatica/connection.ts';
import { HubSpotConfig, hubspotClientFor } from '../systems/hubspot/connection.ts';
import type { HubSpotClient } from '../systems/hubspot/client.ts';
import { SOURCE_ID_PROPERTY } from '../systems/hubspot/property-bootstrap.ts';
import { searchAll } from '../systems/hubspot/search-all.ts';
import { parseSystemConfig } from '../systems/registry.ts';
import type { Installation } from './installation.ts';

export const REVERSE_SEED_FLOW = 'hubspot-to-acumatica';

export interface SeedOutcome {
  dealId: string;
  companyId?: string;
  decision: 'created' | 'already_linked' | 'skipped';
  reason: string;
  customerId?: string;
}

export interface SeedResult {
  runId: string;
  status: 'succeeded' | 'failed' | 'partial';
  outcomes: SeedOutcome[];
  error?: ReturnType<ConnectorError['toJSON']>;
}

/** Deal stages that mean "won": probability 1.0 and closed, in every deal pipeline (reference/hubspot.md §15). */
async function wonStages(hubspot: HubSpotClient): Promise<string[]> {
  const stages: string[] = [];
  for (const pipeline of await hubspot.listPipelines('deals')) {
    for (const stage of pipeline.stages) {
      const closed = stage.metadata.isClosed === 'true' || stage.metadata.isClosed === undefined;
      if (!stage.archived && closed && Number(stage.metadata.probability) === 1) stages.push(stage.id);
    }
  }
  return stages;
}

/** The deal's company: its primary one (deal → company type 5) if it has one, else the first. */
async function companyOf(hubspot: HubSpotClient, dealId: string): Promise<string | undefined> {
  const found = (await hubspot.batchReadAssociations('deals', 'companies', [dealId])).get(dealId) ?? [];
  const primary = found.find((a) => a.associationTypes.some((t) => t.typeId === 5));
  return (primary ?? found[0])?.toObjectId;
}

export async function runClosedWonSeed(installation: Installation, request: { from: string; to: string }): Promise<SeedResult> {
  const { store, clock, connections } = installation;
  const hubspotConnection = await connections.get(request.from);
  const acumaticaConnection = await connections.get(request.to);
  if (hubspotConnection.system !== 'hubspot' || acumaticaConnection.system !== 'acumatica') {
    throw new ConnectorError({
      kind: 'config',
      code: 'config.wrong_connection',
      message: `${REVERSE_SEED_FLOW} reads HubSpot and writes Acumatica: --from must be a HubSpot connection and --to an Acumatica one`,
    });
  }
  const hubspot = hubspotClientFor(HubSpotConfig.parse(parseSystemConfig('hubspot', await connections.getConfig(hubspotConnection.id))), { clock });
  const acumaticaConfig = AcumaticaConnectionSchema.parse(parseSystemConfig('acumatica', await connections.getConfig(acumaticaConnection.id)));
  const acumatica = new AcumaticaClient({ connection: acumaticaConfig, clock });
  const tenant = tenantOf(acumaticaConfig) ?? new URL(acumaticaConfig.baseUrl).host;
  const seedKey = `${REVERSE_SEED_FLOW}:${hubspotConnection.id}:${acumaticaConnection.id}`;
  const forwardKey = `acumatica-to-hubspot:${acumaticaConnection.id}:${hubspotConnection.id}`;
  const run = await startRun(
    store.db,
    { flow: REVERSE_SEED_FLOW, flowKey: seedKey, sourceConnection: hubspotConnection.id, targetConnection: acumaticaConnection.id, mode: 'incremental', trigger: 'manual' },
    clock.now(),
  );
  const outcomes: SeedOutcome[] = [];
  const counts = emptyCounts();
  try {
    const cursor = await loadCursor(store.db, seedKey, 'deals');
    const stages = await wonStages(hubspot);
    let latest = cursor?.ts;
    for await (const deal of searchAll(hubspot, 'deals', {
      filters: [{ propertyName: 'dealstage', operator: 'IN', values: stages }],
      properties: ['dealname', 'dealstage'],
      ...(cursor ? { modifiedSince: cursor.ts } : {}),
    })) {
      counts.read++;
      latest = Math.max(latest ?? 0, Date.parse(deal.properties.hs_lastmodifieddate ?? '') || 0);
      const companyId = await companyOf(hubspot, deal.id);
      if (!companyId) {
        outcomes.push({ dealId: deal.id, decision: 'skipped', reason: `deal ${deal.id} (${deal.properties.dealname ?? 'no name'}) is closed-won but has no company to make a customer of` });
        counts.skipped++;
        continue;
      }
      const linked = await store.db
        .selectFrom('links')
        .select(['source_id'])
        .where('flow_key', '=', forwardKey)
        .where('target_type', '=', 'companies')
        .where('target_id', '=', companyId)
        .executeTakeFirst();
      const company = await hubspot.getObject('companies', companyId, { properties: ['name', 'domain', 'phone', SOURCE_ID_PROPERTY] });
      const existingKey = linked?.source_id ?? (company.properties[SOURCE_ID_PROPERTY]?.startsWith('acumatica:') ? company.properties[SOURCE_ID_PROPERTY] : undefined);
      if (existingKey) {
        outcomes.push({ dealId: deal.id, companyId, decision: 'already_linked', reason: `company ${companyId} is already Acumatica customer ${existingKey.split(':').at(-1)}` });
        counts.skipped++;
        continue;
      }
      // The contact the customer's main contact comes from: the company's first associated contact, if any.
      const contactId = ((await hubspot.batchReadAssociations('companies', 'contacts', [companyId])).get(companyId) ?? [])[0]?.toObjectId;
      const contact = contactId ? await hubspot.getObject('contacts', contactId, { properties: ['email', 'firstname', 'lastname', 'phone'] }) : undefined;
      // Derived from the company, so a second attempt (after a lost answer) updates the customer the first made.
      const customerId = `HS${companyId}`.slice(0, 30);
      const name = company.properties.name || company.properties.domain || `HubSpot company ${companyId}`;
      await acumatica.createCustomer({
        CustomerID: customerId,
        CustomerName: name,
        AccountRef: `hubspot:company:${companyId}`,
        ...(contact?.properties.email ? { Email: contact.properties.email } : {}),
        MainContact: {
          DisplayName: name,
          ...(contact?.properties.email ? { Email: contact.properties.email } : {}),
          ...(company.properties.phone ? { Phone1: company.properties.phone } : {}),
        },
      });
      if (contact?.properties.lastname || contact?.properties.email) {
        await acumatica.createContact({
          BusinessAccount: customerId,
          LastName: contact.properties.lastname || contact.properties.email!,
          ...(contact.properties.firstname ? { FirstName: contact.properties.firstname } : {}),
          ...(contact.properties.email ? { Email: contact.properties.email } : {}),
        });
      }
      const key = `acumatica:${tenant}:customer:${customerId}`;
      await hubspot.updateObject('companies', companyId, { [SOURCE_ID_PROPERTY]: key, ml_source_system: 'acumatica' });
      // The forward flow now finds this company by link (an empty hash: its first read of the customer updates it).
      await saveLinks(store.db, forwardKey, run.id, [{ stream: 'customers', key, targetType: 'companies', targetId: companyId, payloadHash: '', afterHash: null, sourceVersion: null }], clock.now());
      outcomes.push({ dealId: deal.id, companyId, customerId, decision: 'created', reason: `deal ${deal.id} closed-won: created Acumatica customer ${customerId} for company ${companyId}` });
      counts.created++;
    }
    if (latest !== undefined) await saveCursor(store.db, seedKey, 'deals', { ts: latest, idsAtTs: [] }, clock.now());
    const status = outcomes.some((o) => o.decision === 'skipped') ? 'partial' : 'succeeded';
    await finishRun(store.db, run.id, { status, counts, report: { streams: { deals: counts }, notes: outcomes.filter((o) => o.decision === 'skipped').map((o) => o.reason) } }, clock.now());
    return { runId: run.id, status, outcomes };
  } catch (error) {
    const serialized = serializeError(error);
    await finishRun(store.db, run.id, { status: 'failed', counts, report: { streams: { deals: counts }, notes: [] }, error: serialized }, clock.now());
    return { runId: run.id, status: 'failed', outcomes, error: serialized };
  }
}
