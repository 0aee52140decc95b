/**
 * The framework adapters against a running ml-connector and the HubSpot
 * sandbox. The two RevOps scenarios run through a real LangChain.js agent
 * loop (`createAgent`) whose chat model is scripted: it decides each next
 * tool call from the tool results so far, as an LLM would. The resulting
 * HubSpot state is checked through HubSpot's API. Then the OpenAI and Vercel
 * AI SDK formats, and a 429 seen through the ToolManager.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { generateText, stepCountIs } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { createAgent } from 'langchain';
import { z } from 'zod';
import { VirtualClock } from '../../core/clock.ts';
import { startToolsServer, type ToolsServer } from '../../server/test-tools-server.ts';
import { Pipeline } from '../../systems/hubspot/schemas.ts';
import { ToolCallError, ToolManager } from './langchain.ts';

/** One tool call the model made and what came back. */
interface Step {
  tool: string;
  args: Record<string, unknown>;
  result: unknown;
}

type Decision = { calls: Array<{ name: string; args: Record<string, unknown> }> } | { answer: string };

/**
 * A chat model whose "reasoning" is a function of the conversation: it reads
 * the tool calls it made and their results back out of the messages, and
 * decides what to call next (or answers).
 */
class ScriptedChatModel extends BaseChatModel {
  private calls = 0;

  constructor(private readonly decide: (steps: Step[]) => Decision) {
    super({});
  }

  _llmType(): string {
    return 'scripted';
  }

  override bindTools(): this {
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const made = new Map<string, { tool: string; args: Record<string, unknown> }>();
    const steps: Step[] = [];
    for (const message of messages) {
      if (AIMessage.isInstance(message)) for (const call of message.tool_calls ?? []) made.set(call.id!, { tool: call.name, args: call.args });
      if (ToolMessage.isInstance(message)) {
        const call = made.get(message.tool_call_id)!;
        const text = String(message.content);
        let result: unknown;
        try {
          result = JSON.parse(text);
        } catch {
          result = { error: text };
        }
        steps.push({ ...call, result });
      }
    }
    const decision = this.decide(steps);
    const message =
      'answer' in decision
        ? new AIMessage(decision.answer)
        : new AIMessage({ content: '', tool_calls: decision.calls.map((c) => ({ id: `call_${++this.calls}`, name: c.name, args: c.args, type: 'tool_call' as const })) });
    return { generations: [{ text: typeof message.content === 'string' ? message.content : '', message }] };
  }
}

const resultsOf = <T>(steps: Step[], tool: string) => steps.filter((s) => s.tool === tool).map((s) => s.result as T);

describe('LangChain.js, OpenAI and Vercel AI SDK adapters', () => {
  const clock = new VirtualClock(Date.UTC(2026, 5, 1));
  let s: ToolsServer;
  let manager: ToolManager;
  let accountId: string;

  before(async () => {
    s = await startToolsServer({ clock, sandbox: { size: 'empty' } });
    manager = new ToolManager({ baseUrl: s.url, apiKey: s.apiKey });
    accountId = s.account.id;
  });
  after(() => s.close());

  it('scenario 1: overdue invoices over $10,000 → each deal to At Risk, with a note on the deal saying why', async () => {
    const { hubspot } = s;
    const day = 86_400_000;
    const collections = await hubspot.call(Pipeline, {
      method: 'POST',
      path: hubspot.pipelinesPath('deals'),
      body: {
        label: 'Collections',
        displayOrder: 1,
        stages: [
          { label: 'Watching', displayOrder: 0, metadata: { probability: '0.5' } },
          { label: 'At Risk', displayOrder: 1, metadata: { probability: '0.2' } },
        ],
      },
    });
    const atRisk = collections.stages.find((stage) => stage.label === 'At Risk')!;
    const company = await hubspot.createObject('companies', { properties: { name: 'Northwind', domain: 'northwind.example' } });
    const contact = await hubspot.createObject('contacts', { properties: { email: 'ap@northwind.example' } });
    // Overdue and over $10,000: two of them. Overdue but small, and large but not due: one each.
    const cases = [
      { name: 'Northwind renewal', amount: 12_000, due: clock.now() - 20 * day, expected: true },
      { name: 'Northwind expansion', amount: 15_500, due: clock.now() - 3 * day, expected: true },
      { name: 'Northwind add-on', amount: 5_000, due: clock.now() - 40 * day, expected: false },
      { name: 'Northwind services', amount: 30_000, due: clock.now() + 10 * day, expected: false },
    ];
    const deals: Array<{ id: string; expected: boolean; invoice: string; number: string }> = [];
    for (const c of cases) {
      const deal = await hubspot.createObject('deals', { properties: { dealname: c.name, dealstage: 'contractsent', pipeline: 'default', amount: String(c.amount) } });
      const line = await hubspot.createObject('line_items', { properties: { name: c.name, quantity: '1', price: String(c.amount) } });
      const invoice = await hubspot.createObject('invoices', {
        properties: { hs_currency: 'USD', hs_due_date: new Date(c.due).toISOString(), hs_invoice_date: new Date(c.due - 30 * day).toISOString() },
        associations: [
          { to: { id: contact.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 177 }] },
          { to: { id: line.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 409 }] },
          { to: { id: deal.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 175 }] },
          { to: { id: company.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 179 }] },
        ],
      });
      const opened = await hubspot.updateObject('invoices', invoice.id, { hs_invoice_status: 'open' });
      const number = opened.properties.hs_number ?? (await hubspot.getObject('invoices', invoice.id, { properties: ['hs_number'] })).properties.hs_number!;
      deals.push({ id: deal.id, expected: c.expected, invoice: invoice.id, number });
    }

    type SearchPage = { results: Array<{ id: string; properties: Record<string, string | null> }>; has_more: boolean; next_cursor: string | null };
    type Graph = { record: { id: string; properties: Record<string, string | null> }; associations: { deals?: { records: Array<{ id: string }> } } };
    type Pipelines = { results: Array<{ id: string; stages: Array<{ id: string; label: string }> }> };
    const model = new ScriptedChatModel((steps) => {
      const pages = resultsOf<SearchPage>(steps, 'list_all_hub_spot_invoices_search');
      if (pages.length === 0) {
        return {
          calls: [
            {
              name: 'list_all_hub_spot_invoices_search',
              args: { filters: [{ field: 'status', operator: 'eq', value: 'overdue' }, { field: 'amount', operator: 'gte', value: '10000' }], limit: 1 },
            },
            { name: 'list_all_hub_spot_deal_pipelines', args: {} },
          ],
        };
      }
      // Follow the cursor: the first page is not all of them.
      const last = pages[pages.length - 1]!;
      if (last.has_more) {
        return { calls: [{ name: 'list_all_hub_spot_invoices_search', args: { filters: steps[0]!.args.filters, limit: 1, cursor: last.next_cursor } }] };
      }
      const invoices = pages.flatMap((p) => p.results);
      const graphs = resultsOf<Graph>(steps, 'get_single_hub_spot_record_with_associations_by_id');
      const unread = invoices.filter((inv) => !graphs.some((g) => g.record.id === inv.id));
      if (unread.length > 0) {
        return { calls: unread.map((inv) => ({ name: 'get_single_hub_spot_record_with_associations_by_id', args: { objectType: 'invoices', id: inv.id, associatedTypes: ['deals'] } })) };
      }
      const stage = resultsOf<Pipelines>(steps, 'list_all_hub_spot_deal_pipelines')[0]!.results.flatMap((p) => p.stages.map((st) => ({ pipeline: p.id, ...st }))).find((st) => st.label === 'At Risk')!;
      const updated = new Set(steps.filter((st) => st.tool === 'update_a_hub_spot_deal_by_id').map((st) => st.args.id));
      const noted = new Set(steps.filter((st) => st.tool === 'create_a_hub_spot_note').map((st) => (st.args.associations as Array<{ toObjectId: string }>)[0]!.toObjectId));
      const calls = graphs.flatMap((graph) =>
        (graph.associations.deals?.records ?? []).flatMap((deal) => [
          ...(updated.has(deal.id) ? [] : [{ name: 'update_a_hub_spot_deal_by_id', args: { id: deal.id, properties: { pipeline: stage.pipeline, dealstage: stage.id } } }]),
          ...(noted.has(deal.id)
            ? []
            : [
                {
                  name: 'create_a_hub_spot_note',
                  args: {
                    properties: {
                      hs_note_body: `Moved to At Risk: invoice ${graph.record.properties.hs_number} for $${graph.record.properties.hs_amount_billed} is overdue (due ${graph.record.properties.hs_due_date}).`,
                    },
                    associations: [{ toObjectType: 'deals', toObjectId: deal.id, label: null }],
                  },
                },
              ]),
        ]),
      );
      if (calls.length > 0) return { calls };
      return { answer: `Moved ${updated.size} deals to At Risk and left a note on each.` };
    });

    const agent = createAgent({ model, tools: await manager.getTools(accountId, { methods: ['search', 'get', 'list', 'update', 'create'] }) });
    const state = await agent.invoke({ messages: [{ role: 'user', content: 'Find overdue invoices over $10,000, move each associated deal to At Risk, add a note explaining why, and attach it to the deal.' }] });
    const final = state.messages[state.messages.length - 1]!;
    assert.equal(final.content, 'Moved 2 deals to At Risk and left a note on each.');

    for (const deal of deals) {
      const read = await hubspot.getObject('deals', deal.id, { properties: ['dealstage', 'pipeline'] });
      const notes: string[] = [];
      for await (const link of hubspot.listAssociations('deals', deal.id, 'notes')) notes.push(link.toObjectId);
      if (deal.expected) {
        assert.deepEqual([read.properties.dealstage, read.properties.pipeline], [atRisk.id, collections.id], `deal ${deal.id} is At Risk`);
        assert.equal(notes.length, 1, 'one note on the deal');
        const note = await hubspot.getObject('notes', notes[0]!, { properties: ['hs_note_body'] });
        assert.match(note.properties.hs_note_body!, new RegExp(`invoice ${deal.number} .* is overdue`));
      } else {
        assert.deepEqual([read.properties.dealstage, read.properties.pipeline], ['contractsent', 'default'], `deal ${deal.id} untouched`);
        assert.equal(notes.length, 0);
      }
    }
  });

  it('scenario 2: a contract signed for Acme Corp → its primary contact, a $5,000 order linked to the company and the contact', async () => {
    const { hubspot } = s;
    const acme = await hubspot.createObject('companies', { properties: { name: 'Acme Corp', domain: 'acme-corp.example' } });
    await hubspot.createObject('companies', { properties: { name: 'Acme Corporation Holdings', domain: 'acme-holdings.example' } });
    const other = await hubspot.createObject('contacts', { properties: { email: 'intern@acme-corp.example', firstname: 'Ivy' } });
    const primary = await hubspot.createObject('contacts', { properties: { email: 'ceo@acme-corp.example', firstname: 'Wile' } });
    await hubspot.associateDefault('contacts', other.id, 'companies', acme.id);
    await hubspot.associateWithTypes('contacts', primary.id, 'companies', acme.id, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 },
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 },
    ]);

    type Found = { results: Array<{ id: string; properties: Record<string, string | null> }> };
    type Graph = { associations: { contacts: { records: Array<{ id: string; labels: string[] }> } } };
    const model = new ScriptedChatModel((steps) => {
      const found = resultsOf<Found>(steps, 'list_all_hub_spot_companies_search')[0];
      if (!found) return { calls: [{ name: 'list_all_hub_spot_companies_search', args: { query: 'Acme Corp' } }] };
      const company = found.results.find((c) => c.properties.name === 'Acme Corp')!;
      const graph = resultsOf<Graph>(steps, 'get_single_hub_spot_record_with_associations_by_id')[0];
      if (!graph) return { calls: [{ name: 'get_single_hub_spot_record_with_associations_by_id', args: { objectType: 'companies', id: company.id, associatedTypes: ['contacts'] } }] };
      const contact = graph.associations.contacts.records.find((c) => c.labels.includes('Primary'))!;
      const order = resultsOf<{ id: string }>(steps, 'create_a_hub_spot_order')[0];
      if (!order) {
        return { calls: [{ name: 'create_a_hub_spot_order', args: { properties: { hs_order_name: 'Acme Corp contract', hs_total_price: 5000, hs_currency_code: 'USD' } } }] };
      }
      if (resultsOf(steps, 'create_a_hub_spot_association').length === 0) {
        return {
          calls: [
            { name: 'create_a_hub_spot_association', args: { objectType: 'orders', objectId: order.id, toObjectType: 'companies', toObjectId: company.id } },
            { name: 'create_a_hub_spot_association', args: { objectType: 'orders', objectId: order.id, toObjectType: 'contacts', toObjectId: contact.id } },
          ],
        };
      }
      return { answer: `Order ${order.id} created for Acme Corp and linked to the company and to contact ${contact.id}.` };
    });
    const agent = createAgent({ model, tools: await manager.getTools(accountId) });
    const state = await agent.invoke({ messages: [{ role: 'user', content: 'A contract was signed for Acme Corp: find its primary contact, create a $5,000 order, and link it to both the company and the contact.' }] });
    const answer = String(state.messages[state.messages.length - 1]!.content);
    const orderId = /Order (\d+)/.exec(answer)![1]!;

    const order = await hubspot.getObject('orders', orderId, { properties: ['hs_order_name', 'hs_total_price', 'hs_currency_code'] });
    assert.equal(Number(order.properties.hs_total_price), 5000);
    assert.equal(order.properties.hs_currency_code, 'USD');
    const linked = async (to: 'companies' | 'contacts') => {
      const ids: string[] = [];
      for await (const link of hubspot.listAssociations('orders', orderId, to)) ids.push(link.toObjectId);
      return ids;
    };
    assert.deepEqual(await linked('companies'), [acme.id]);
    assert.deepEqual(await linked('contacts'), [primary.id], 'the primary contact, not the other one');
  });

  it('the OpenAI tools format and the Vercel AI SDK format come from the same catalog', async () => {
    const openai = await manager.getOpenAITools(accountId, { resources: ['products'] });
    assert.deepEqual(openai.map((t) => t.function.name).sort(), [
      'create_a_hub_spot_product', 'delete_a_hub_spot_product_by_id', 'get_single_hub_spot_product_by_id', 'list_all_hub_spot_products', 'list_all_hub_spot_products_search', 'update_a_hub_spot_product_by_id',
    ]);
    assert.ok(openai.every((t) => t.type === 'function' && t.function.strict === true && t.function.parameters.additionalProperties === false));

    const tools = await manager.getVercelAITools(accountId, { resources: ['products'] });
    const model = new MockLanguageModelV3({
      doGenerate: [
        {
          content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'create_a_hub_spot_product', input: JSON.stringify({ properties: { name: 'Anvil', price: 99, description: null, hs_sku: 'ANV-1' }, additionalProperties: null, associations: null }) }],
          finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
          usage: { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } },
          warnings: [],
        },
        {
          content: [{ type: 'text', text: 'Created the Anvil.' }],
          finishReason: { unified: 'stop', raw: 'stop' },
          usage: { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } },
          warnings: [],
        },
      ],
    });
    const result = await generateText({ model, tools: tools as Parameters<typeof generateText>[0]['tools'], prompt: 'Add an Anvil at $99, SKU ANV-1.', stopWhen: stepCountIs(3) });
    assert.equal(result.text, 'Created the Anvil.');
    const created = z.object({ id: z.string() }).parse(result.steps[0]!.toolResults[0]!.output);
    assert.equal((await s.hubspot.getObject('products', created.id, { properties: ['name', 'hs_sku'] })).properties.hs_sku, 'ANV-1');
  });

  it('a 429 from HubSpot surfaces from a LangChain tool as an error carrying status and the ratelimit-* headers', async () => {
    const [list] = await manager.getTools(accountId, { resources: ['companies'], methods: ['list'] });
    await fetch(`${s.sandbox.adminUrl}/hubspot/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rate429: 1 }) });
    let error: unknown;
    try {
      await list!.invoke({ limit: 1 });
    } catch (caught) {
      error = caught;
    } finally {
      await fetch(`${s.sandbox.adminUrl}/hubspot/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rate429: 0 }) });
    }
    assert.ok(error instanceof ToolCallError, String(error));
    assert.equal(error.status, 429);
    assert.equal(error.kind, 'rate_limited');
    assert.deepEqual(Object.keys(error.headers).sort(), ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after']);
    assert.equal(error.headers['ratelimit-remaining'], '0');
    // Wait what it says, then the same tool works.
    await clock.sleep(error.retryAfterSeconds! * 1000);
    assert.equal((JSON.parse(String(await list!.invoke({ limit: 1 }))) as { results: unknown[] }).results.length, 1);
  });
});
