// The operations console: analytics' reports drawn as KPIs, charts and tables.
// Five views behind the URL's hash: #/ (overview), #/cases/<id>, #/what-if, #/recovery,
// #/listing-audit.
// Analytics holds the signed-in person's token in its session cookie (never seen here): the
// page's calls carry the cookie and the console's header; any 401 shows the sign-in.
"use strict";

const LIVE_REFRESH_MS = 5000;
const FROM_CONSOLE = { "X-Requested-With": "console" };  // analytics asks it of session writes
const charts = {};
let liveTimer = null;
let signedIn = null;  // who, from /console/me

// ---- small helpers -------------------------------------------------------------------

class SignedOut extends Error {}

async function call(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...FROM_CONSOLE, ...options.headers } });
  if (response.status === 401) {
    showSignedOut();
    throw new SignedOut(`${path}: 401, not signed in`);
  }
  return response;
}

async function getJson(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v));
  const response = await call(query.size ? `${path}?${query}` : path);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell ?? "";
    tr.append(td);
  }
  return tr;
}

const percent = (share) => (share === null || share === undefined ? "–" : `${(share * 100).toFixed(1)}%`);
const money = (minor, currency) => `${currency} ${(minor / 100).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const day = (iso) => (iso ? new Date(iso).toISOString().slice(0, 16).replace("T", " ") : "");

function scope() {
  const form = new FormData(document.getElementById("scope"));
  const asInstant = (date) => (date ? `${date}T00:00:00Z` : "");
  return {
    seller: form.get("seller"),
    market: form.get("market"),
    since: asInstant(form.get("since")),
    until: asInstant(form.get("until")),
  };
}

function fillOptions(select, keys) {
  const chosen = select.value;
  const first = select.options[0];
  select.replaceChildren(first, ...keys.map((key) => element("option", key, { value: key })));
  select.value = keys.includes(chosen) ? chosen : "";
}

function draw(name, config) {
  const canvas = document.getElementById(`chart-${name}`);
  if (charts[name]) charts[name].destroy();
  config.options = { responsive: true, maintainAspectRatio: false, animation: false, ...config.options };
  charts[name] = new Chart(canvas, config);
  const points = config.data.datasets.reduce((sum, set) => sum + set.data.length, 0);
  canvas.dataset.points = String(points);  // what the browser test reads
}

const PALETTE = ["#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477",
  "#66aa00", "#b82e2e", "#316395"];

// ---- overview: KPIs ------------------------------------------------------------------

function kpi(name, value, target) {
  const tile = element("div", null, { class: "kpi", "data-kpi": name });
  const long = String(value).length > 12;  // several currencies, say: a smaller figure
  tile.append(element("div", name, { class: "name" }), element("div", value, { class: long ? "value long" : "value" }));
  if (target) {
    tile.classList.add(target.met ? "met" : "missed");
    tile.append(element("div", `target ${percent(target.target)}`, { class: "target" }));
  }
  return tile;
}

function drawKpis(outcomes) {
  const saved = Object.entries(outcomes.savings).map(([c, t]) => money(t.saved_minor, c));
  const breaches = Object.values(outcomes.breaches).reduce((a, b) => a + b, 0);
  const reply = outcomes.first_reply.median_minutes;
  document.getElementById("kpis").replaceChildren(
    kpi("Cases", outcomes.cases),
    kpi("Minor defects kept without a return", percent(outcomes.minor_defects.share), outcomes.minor_defects),
    kpi("Satisfied buyers", percent(outcomes.satisfaction.share), outcomes.satisfaction),
    kpi("Median first reply", reply === null ? "–" : `${reply} min`),
    kpi("Saved vs returning everything", saved.join(" · ") || "–"),
    kpi("Service-level breaches", breaches),
  );
}

// ---- overview: charts ----------------------------------------------------------------

let listings = [];

function drawPareto() {
  const sku = document.getElementById("pareto-listing").value;
  const listing = listings.find((l) => l.sku === sku);
  const by = document.getElementById("pareto-by").value;
  // The seller's labels exist for a report of one seller that gave them.
  const reasons = listing ? listing[by] || listing.reasons : [];
  const said = Object.entries(listing ? listing.phrases : {}).map(([reason, phrases]) =>
    `${reason}: ${phrases.map(([phrase, buyers]) => `“${phrase}” (${buyers})`).join(", ")}`);
  document.getElementById("pareto-phrases").textContent = said.length ? `Buyers wrote — ${said.join(" · ")}` : "";
  let running = 0;
  const cumulative = reasons.map((r) => Math.round((running += r.share) * 1000) / 10);
  draw("pareto", {
    data: {
      labels: reasons.map((r) => r.key),
      datasets: [
        { type: "bar", label: "cases", data: reasons.map((r) => r.cases), backgroundColor: PALETTE[0], yAxisID: "cases" },
        { type: "line", label: "cumulative %", data: cumulative, borderColor: PALETTE[1], yAxisID: "share" },
      ],
    },
    options: {
      scales: {
        cases: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
        share: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } },
      },
    },
  });
}

function drawListings(report) {
  listings = report.listings;
  const select = document.getElementById("pareto-listing");
  const chosen = select.value;
  select.replaceChildren(...listings.map((l) =>
    element("option", `${l.sku}${l.title ? ` · ${l.title}` : ""} (${l.cases})`, { value: l.sku })));
  if (listings.some((l) => l.sku === chosen)) select.value = chosen;
  drawPareto();
  drawListingTable();
}

function drawListingTable() {
  document.querySelector("#listings tbody").replaceChildren(...listings.map((l) => {
    const top = (l.seller_reasons || l.reasons)[0];
    const said = Object.values(l.phrases).flat().slice(0, 3).map(([p, n]) => `“${p}” (${n})`).join(", ");
    const rate = l.return_rate === null ? "–" : percent(l.return_rate);
    const tr = row([l.sku, l.title, l.cases, l.units_sold ?? "–", rate,
      l.category_return_rate === null ? "–" : percent(l.category_return_rate),
      top ? `${top.key} (${top.cases})` : "", said]);
    if (l.far_above_category) {
      tr.classList.add("far-above");
      tr.title = "return rate far above its category's";
    }
    return tr;
  }));
}

function drawFaqGaps(gaps) {
  document.querySelector("#faq-gaps tbody").replaceChildren(...gaps.map((g) => row([
    g.sku, g.language, g.reason, g.topic, g.cases,
    g.currency ? money(g.cost_minor, g.currency) : "", g.question,
  ])));
}

// Each published FAQ entry: the share of the reasons it answers among its listing's returns
// (buyers of its language) before and after it went out, with the counts behind each share
// (services/analytics/domain/faq_effect.py); the after-window says how far it has run.
function drawFaqEffect(effects) {
  const shares = (cases, share) => `${percent(share)} (${cases})`;
  document.querySelector("#faq-effect tbody").replaceChildren(...effects.map((e) => {
    const covered = (side) => e.reasons.filter((r) => r.covered).reduce((n, r) => n + r[`${side}_cases`], 0);
    const tr = row([
      e.sku, e.language, e.question, day(e.published_at),
      `${e.before_cases} in ${e.window_days} d`,
      `${e.after_cases} in ${e.after_days_passed} of ${e.window_days} d`,
      `${shares(covered("before"), e.covered_before_share)} → ${shares(covered("after"), e.covered_after_share)}`,
      e.reasons.map((r) => `${r.reason}: ${shares(r.before_cases, r.before_share)} → ${shares(r.after_cases, r.after_share)}`).join("; "),
    ]);
    if (e.covered_after_share < e.covered_before_share) tr.title = "the reasons it answers fell";
    return tr;
  }));
}

// Claims won and money recovered, by kind and currency; below, the claims not decided yet,
// soonest due first, with their clock (services/analytics/domain/claims.py).
function drawClaims(report, pending) {
  document.querySelector("#claims-report tbody").replaceChildren(...report.by_kind.map((k) => row([
    k.kind, k.currency, k.claims, k.open, k.filed, k.won + k.partly_won, k.lost, percent(k.win_rate),
    k.currency ? money(k.claimed_minor, k.currency) : k.claimed_minor,
    k.currency ? money(k.recovered_minor, k.currency) : k.recovered_minor, k.clocks_missed,
  ])));
  pending.sort((a, b) => a.due_at.localeCompare(b.due_at));
  document.querySelector("#claims-due tbody").replaceChildren(...pending.map((c) => {
    const link = element("a", c.case_id, { href: `#/cases/${encodeURIComponent(c.case_id)}` });
    const tr = row([link, c.kind, c.currency ? money(c.amount_minor, c.currency) : c.amount_minor,
      day(c.due_at), c.clock.state, c.outcome]);
    if (c.clock.state === "breached" || c.clock.state === "near_breach") tr.className = "alarm";
    return tr;
  }));
}

function drawMarkets(report) {
  const markets = report.markets;
  const reasons = [...new Set(markets.flatMap((m) => m.reasons.map((r) => r.key)))];
  draw("markets", {
    type: "bar",
    data: {
      // Cases, and the return rate where the seller's sales feed gives the market's units.
      labels: markets.map((m) => `${m.market} (${m.cases}${m.return_rate === null ? "" : ` · ${percent(m.return_rate)}`})`),
      datasets: reasons.map((reason, i) => ({
        label: reason,
        backgroundColor: PALETTE[i % PALETTE.length],
        data: markets.map((m) => Math.round(((m.reasons.find((r) => r.key === reason) || {}).share || 0) * 1000) / 10),
      })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, max: 100, title: { display: true, text: "% of cases" } } } },
  });
}

function drawSavings(report) {
  const months = [...new Set(report.months.map((m) => m.month))].sort();
  const currencies = [...new Set(report.months.map((m) => m.currency))].sort();
  draw("savings", {
    type: "bar",
    data: {
      labels: months,
      datasets: currencies.map((currency, i) => ({
        label: `saved (${currency})`,
        backgroundColor: PALETTE[(i + 3) % PALETTE.length],
        data: months.map((month) => {
          const found = report.months.find((m) => m.month === month && m.currency === currency);
          return found ? found.saved_minor / 100 : 0;
        }),
      })),
    },
  });
}

function drawClock(outcomes) {
  const buckets = outcomes.first_reply.buckets;
  const breaches = Object.entries(outcomes.breaches).map(([clock, n]) => `${clock}: ${n}`).join(", ");
  draw("clock", {
    type: "bar",
    data: {
      labels: Object.keys(buckets),
      datasets: [{ label: "cases", data: Object.values(buckets), backgroundColor: PALETTE[5] }],
    },
    options: {
      plugins: { title: { display: true, text: `breached clocks: ${breaches || "none"}` } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

async function loadOverview() {
  const period = scope();
  const [outcomes, listingReport, marketReport, savings, summary, gaps] = await Promise.all([
    getJson("/reports/outcomes", period),
    getJson("/reports/listings", period),
    getJson("/reports/markets", period),
    getJson("/reports/savings", period),
    getJson("/reports/summary"),
    getJson("/reports/faq-gaps", { seller: period.seller }),
  ]);
  drawFaqEffect(await getJson("/reports/faq-effect", { seller: period.seller }));
  const [claimsReport, openClaims, filedClaims] = await Promise.all([
    getJson("/reports/claims", { seller: period.seller, since: period.since, until: period.until }),
    getJson("/claims", { seller: period.seller, outcome: "open" }),
    getJson("/claims", { seller: period.seller, outcome: "filed" }),
  ]);
  drawClaims(claimsReport, [...openClaims.claims, ...filedClaims.claims]);
  drawKpis(outcomes);
  drawListings(listingReport);
  drawMarkets(marketReport);
  drawSavings(savings);
  drawClock(outcomes);
  drawFaqGaps(gaps);
  fillFilters(summary);
  await loadCases();
}

// ---- overview: the live case list ----------------------------------------------------

function fillFilters(summary) {
  const filters = document.getElementById("case-filters");
  fillOptions(filters.elements.status, Object.keys(summary.by_status));
  fillOptions(filters.elements.market, Object.keys(summary.by_market));
  fillOptions(filters.elements.scenario, Object.keys(summary.by_scenario));
  fillOptions(filters.elements.remedy, Object.keys(summary.by_remedy));
  fillOptions(document.getElementById("scope").elements.market, Object.keys(summary.by_market));
}

async function loadCases() {
  const filters = Object.fromEntries(new FormData(document.getElementById("case-filters")));
  const { cases } = await getJson("/cases", { ...filters, seller_account: scope().seller });
  showCases(cases);
  document.getElementById("refreshed").textContent = `${cases.length} shown, refreshed ${new Date().toLocaleTimeString()}`;
}

// Each case keeps its row from one refresh to the next, its cells updated in place: the
// list does not flicker, and a click on a row is never lost to a refresh.
function showCases(cases) {
  const body = document.querySelector("#case-list tbody");
  const kept = new Map([...body.rows].map((tr) => [tr.dataset.caseId, tr]));
  const rows = cases.map((c) => {
    const cells = [day(c.opened_at), c.market, c.sku, c.reason, c.scenario, c.remedy, c.status];
    const tr = kept.get(c.case_id);
    if (!tr) {
      const link = element("a", c.case_id, { href: `#/cases/${encodeURIComponent(c.case_id)}` });
      const fresh = row([link, ...cells]);
      fresh.dataset.caseId = c.case_id;
      return fresh;
    }
    cells.forEach((text, i) => {
      if (tr.cells[i + 1].textContent !== (text ?? "")) tr.cells[i + 1].textContent = text ?? "";
    });
    return tr;
  });
  const same = rows.length === body.rows.length && rows.every((tr, i) => body.rows[i] === tr);
  if (!same) body.replaceChildren(...rows);
}

// ---- one case ------------------------------------------------------------------------

const FACTS = ["marketplace", "market", "seller_account", "sku", "title", "reason", "reason_code",
  "scenario", "remedy", "status", "grade", "disposition", "opened_at", "first_offer_at"];

function summaryOf(data) {
  const keys = ["kind", "state", "remedy", "scenario", "reason", "answer", "grade", "disposition", "tracking_number",
    "warehouse", "level", "clock", "amount_minor", "refund_minor", "rating"];
  return keys.filter((k) => data[k] !== undefined && data[k] !== null).map((k) => `${k}: ${data[k]}`).join(", ");
}

async function loadCase(caseId) {
  document.getElementById("case-id").textContent = caseId;
  const [facts, timeline, conversation] = await Promise.all([
    getJson(`/cases/${encodeURIComponent(caseId)}`),
    getJson(`/cases/${encodeURIComponent(caseId)}/timeline`),
    getJson(`/cases/${encodeURIComponent(caseId)}/conversation`),
  ]);
  showConversation(conversation.turns);
  showEvidencePacks(caseId, facts.marketplace);
  document.getElementById("case-facts").replaceChildren(...FACTS.filter((k) => facts[k]).flatMap((k) =>
    [element("dt", k), element("dd", k.endsWith("_at") ? day(facts[k]) : facts[k])]));
  // Trace links only where a trace UI is configured (TRACING_UI_TRACE_URL): the case's
  // first trace, which every later trace of the case links to, and each event's own.
  const caseTrace = document.getElementById("case-trace");
  caseTrace.replaceChildren(...(timeline.case_trace_url
    ? [element("a", `the case's first trace ${timeline.case_trace_id.slice(0, 8)}…`,
      { href: timeline.case_trace_url, target: "_blank", rel: "noopener" })]
    : []));
  document.querySelector("#timeline tbody").replaceChildren(...timeline.events.map((e) => {
    const trace = e.trace_url
      ? element("a", `trace ${e.trace_id.slice(0, 8)}…`, { href: e.trace_url, target: "_blank", rel: "noopener" })
      : "";
    return row([day(e.time), e.source, e.type, summaryOf(e.data), trace]);
  }));
}

// The claim kinds a case's marketplace may bring (as services/analytics/domain/claims.py
// says); a chargeback may come on any channel.
const CLAIM_KINDS = {
  amazon_a_to_z: ["amazon", "amazon_fba"],
  amazon_safe_t: ["amazon", "amazon_fba"],
  ebay_money_back: ["ebay"],
  chargeback: null,
};

function showEvidencePacks(caseId, marketplace) {
  const kinds = Object.entries(CLAIM_KINDS).filter(([, on]) => !on || on.includes(marketplace));
  document.getElementById("evidence-packs").replaceChildren(...kinds.map(([kind]) => {
    const path = `/cases/${encodeURIComponent(caseId)}/evidence/${kind}`;
    const item = element("li", `${kind}: `);
    item.append(element("a", "PDF", { href: path, download: "" }), " · ",
      element("a", "ZIP to upload", { href: `${path}?format=zip`, download: "" }));
    return item;
  }));
}

// A message to the buyer: its kind, channel, state, time, subject and text; a reply: the
// buyer's answer and words.
function showConversation(turns) {
  const list = document.getElementById("conversation");
  if (!turns.length) {
    list.replaceChildren(element("li", "No message to or from the buyer yet."));
    return;
  }
  list.replaceChildren(...turns.map((turn) => {
    const item = element("li", "", { class: turn.author });
    const heading = turn.author === "buyer"
      ? `${day(turn.at)} · buyer replied: ${turn.kind} (${turn.language})`
      : `${day(turn.at)} · ${turn.kind} · ${turn.channel} by ${turn.way} · ${turn.state}`;
    item.append(element("strong", heading));
    if (turn.subject) item.append(element("div", turn.subject, { class: "subject" }));
    if (turn.text) item.append(element("pre", turn.text));
    return item;
  }));
}

// ---- what-if -------------------------------------------------------------------------

async function loadPolicy() {
  const form = document.getElementById("what-if-form");
  const error = document.getElementById("what-if-error");
  error.textContent = "";
  try {
    const view = await getJson(`/console/policies/${encodeURIComponent(form.elements.seller.value)}`);
    form.elements.policy.value = JSON.stringify(view.policy, null, 2);
  } catch (failure) {
    if (!(failure instanceof SignedOut)) error.textContent = failure.message;
  }
}

async function runWhatIf(event) {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById("what-if-error");
  error.textContent = "";
  let policy;
  try {
    policy = JSON.parse(form.elements.policy.value);
  } catch (failure) {
    error.textContent = `The policy is not valid JSON: ${failure.message}`;
    return;
  }
  const asInstant = (date) => (date ? `${date}T00:00:00Z` : null);
  let response;
  try {
    response = await call(`/console/what-if/${encodeURIComponent(form.elements.seller.value)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ policy, since: asInstant(form.elements.since.value), until: asInstant(form.elements.until.value) }),
    });
  } catch (failure) {
    if (!(failure instanceof SignedOut)) error.textContent = failure.message;
    return;
  }
  const answer = await response.json();
  if (!response.ok) {
    error.textContent = `${response.status}: ${JSON.stringify(answer.detail ?? answer)}`;
    return;
  }
  drawWhatIf(answer);
}

function drawWhatIf(answer) {
  const { current, proposed, difference } = answer;
  const costs = (outcome) => Object.entries(outcome.expected_cost_minor).map(([c, v]) => money(v, c)).join(" · ");
  const mix = (outcome) => Object.entries(outcome.first_remedies).map(([r, n]) => `${r} ${n}`).join(", ");
  const lines = [
    ["Cases replanned", current.cases, proposed.cases, ""],
    ["Expected cost", costs(current), costs(proposed), costs(difference)],
    ["First remedy offered", mix(current), mix(proposed), ""],
    ["Expected returns", current.expected_returns, proposed.expected_returns, difference.expected_returns],
    ["Left to an agent", current.nothing_to_offer, proposed.nothing_to_offer, ""],
  ];
  const table = document.getElementById("what-if-result");
  table.querySelector("tbody").replaceChildren(...lines.map(row));
  table.hidden = false;
  document.getElementById("what-if-chart").hidden = false;
  const remedies = [...new Set([...Object.keys(current.first_remedies), ...Object.keys(proposed.first_remedies)])];
  draw("what-if", {
    type: "bar",
    data: {
      labels: remedies,
      datasets: [
        { label: "in force", data: remedies.map((r) => current.first_remedies[r] || 0), backgroundColor: PALETTE[0] },
        { label: "proposed", data: remedies.map((r) => proposed.first_remedies[r] || 0), backgroundColor: PALETTE[2] },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

// ---- recovery ------------------------------------------------------------------------

// Each service's recovery queues, asked through analytics (/console/recovery/<service>/...)
// with the signed-in person's own token: the owning service says who may see and settle what.
const SERVICES = ["intake", "resolution", "fulfillment", "refurbish", "analytics"];
const recoveryPath = (service, path) => `/console/recovery/${service}/${path}`;
const asUtc = (local) => (local ? `${local}:00Z` : "");

function recoveryProblem(what, failure) {
  if (failure instanceof SignedOut) throw failure;
  const said = document.getElementById("recovery-error");
  said.textContent = [said.textContent, `${what}: ${failure.message}`].filter(Boolean).join(" · ");
}

function filtersOf(formId) {
  const form = new FormData(document.getElementById(formId));
  return Object.fromEntries([...form.entries()].filter(([, value]) => value));
}

// A change (re-drive, retry, discard) asked of the owning service; a discard asks why first.
async function settle(service, path, body = {}, discarding = false) {
  if (discarding) {
    const reason = window.prompt("Why is it discarded? (kept with it, and in the audit trail)");
    if (!reason) return;
    body = { ...body, reason };
  }
  const response = await call(recoveryPath(service, path), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${response.status} ${JSON.stringify(answer.detail ?? answer)}`);
  await loadRecovery();
}

function actions(...buttons) {
  const cell = element("span");
  for (const [label, act] of buttons) {
    const button = element("button", label, { type: "button" });
    button.addEventListener("click", () => act().catch((failure) => recoveryProblem(label, failure)));
    cell.append(button);
  }
  return cell;
}

async function loadDeadLetters() {
  const filters = filtersOf("dead-letter-filters");
  const service = filters.service;
  delete filters.service;
  const query = { ...filters, since: asUtc(filters.since), until: asUtc(filters.until), limit: 200 };
  const [topics, letters] = await Promise.all([
    getJson(recoveryPath(service, "dead-letters/topics")),
    getJson(recoveryPath(service, "dead-letters"), query),
  ]);
  fillOptions(document.querySelector("#dead-letter-filters [name=topic]"), topics.map((t) => t.topic));
  document.querySelector("#dead-letter-topics tbody").replaceChildren(
    ...topics.map((t) => row([t.topic, t.waiting, day(t.oldest)])));
  document.querySelector("#dead-letters tbody").replaceChildren(...letters.map((letter) => {
    const tr = row([
      day(letter.dead_at), letter.topic, letter.event_type ?? "unreadable", letter.case_id ?? "",
      letter.cause, element("pre", letter.payload), letter.discard_reason ? `${letter.state}: ${letter.discard_reason}` : letter.state,
      letter.state === "waiting" ? actions(
        ["Re-drive", () => settle(service, `dead-letters/${letter.id}/redrive`)],
        ["Discard…", () => settle(service, `dead-letters/${letter.id}/discard`, {}, true)],
      ) : "",
    ]);
    tr.dataset.deadLetter = String(letter.id);
    return tr;
  }));
}

async function loadFailedDeliveries() {
  const deliveries = await getJson(recoveryPath("intake", "deliveries"), { state: "failed", ...filtersOf("delivery-filters") });
  document.querySelector("#failed-deliveries tbody").replaceChildren(...deliveries.map((d) => {
    const path = `deliveries/${encodeURIComponent(d.channel)}/${encodeURIComponent(d.account)}/${d.delivery_id}`;
    return row([day(d.received_at), d.channel, d.account, d.delivery_id, d.attempts, d.error, actions(
      ["Retry", () => settle("intake", `${path}/retry`)],
      ["Discard…", () => settle("intake", `${path}/discard`, {}, true)],
    )]);
  }));
}

// The kinds of failed calls each service makes (shared/failed_calls.py): a refused refund is
// retried on intake first, then on resolution.
const CALL_KINDS = {
  intake: ["message", "return_action", "refund", "removal_order"],
  resolution: ["refund"],
  fulfillment: ["carrier_label", "warehouse_delivery"],
};

async function loadFailedCalls() {
  const filters = filtersOf("call-filters");
  const service = filters.service ?? "intake";
  delete filters.service;
  fillOptions(document.querySelector("#call-filters [name=kind]"), CALL_KINDS[service]);
  if (filters.kind && !CALL_KINDS[service].includes(filters.kind)) delete filters.kind;
  const calls = await getJson(recoveryPath(service, "failed-calls"), filters);
  document.querySelector("#failed-calls tbody").replaceChildren(...calls.map((c) => {
    const path = `failed-calls/${c.kind}/${encodeURIComponent(c.id)}`;
    return row([day(c.owed_at), c.kind, c.what, c.case_id, c.account, c.attempts, c.error, actions(
      ["Retry", () => settle(service, `${path}/retry`)],
      ["Discard…", () => settle(service, `${path}/discard`, {}, true)],
    )]);
  }));
}

async function loadRecovery() {
  const services = document.querySelector("#dead-letter-filters [name=service]");
  if (!services.options.length) services.replaceChildren(...SERVICES.map((s) => element("option", s, { value: s })));
  document.getElementById("recovery-error").textContent = "";
  // Each queue on its own: someone who may see the deliveries but not the dead letters sees those.
  await Promise.all([
    loadDeadLetters().catch((failure) => recoveryProblem("Dead letters", failure)),
    loadFailedDeliveries().catch((failure) => recoveryProblem("Failed deliveries", failure)),
    loadFailedCalls().catch((failure) => recoveryProblem("Failed calls", failure)),
  ]);
}

// The bulk buttons: every waiting one the form's filters match.
function bulk(formId, service, prefix, verbs) {
  for (const button of document.querySelectorAll(`#${formId} [data-bulk]`)) {
    button.addEventListener("click", () => {
      const filters = filtersOf(formId);
      const chosen = formId === "dead-letter-filters"
        ? { topic: filters.topic, event_type: filters.event_type, cause: filters.cause, since: asUtc(filters.since) || undefined, until: asUtc(filters.until) || undefined }
        : filters;
      const body = Object.fromEntries(Object.entries(chosen).filter(([name, value]) => value && name !== "service"));
      const target = filters.service ?? service;
      const verb = verbs[button.dataset.bulk];
      settle(target, `${prefix}/${verb}`, body, verb === "discard")
        .catch((failure) => recoveryProblem(button.textContent, failure));
    });
  }
}

// ---- who is signed in ----------------------------------------------------------------

// Who analytics' session holds: null when no one (401); an error for someone the console
// is not for (a warehouse's staff, say: 403).
async function whoIsSignedIn() {
  const response = await fetch("/console/me", { headers: FROM_CONSOLE });
  if (response.status === 401) return null;
  if (response.status === 403) {
    showSignedOut("You are signed in, but the console is for the sellers' people and the operations team: sign out, then sign in as one of them.");
    document.getElementById("who").hidden = false;
    throw new SignedOut("/console/me: 403");
  }
  if (!response.ok) throw new Error(`/console/me: ${response.status} ${await response.text()}`);
  return response.json();
}

function showWho(person) {
  const sellers = person.every_seller ? "every seller" : person.sellers.join(", ") || "no seller";
  document.getElementById("who-name").textContent = person.name;
  document.getElementById("who-scope").textContent = `${person.roles.join(", ")} · ${sellers}`;
  document.getElementById("who").hidden = false;
  document.getElementById("sign-in").hidden = true;
  document.body.classList.remove("signed-out");
  const seller = document.getElementById("what-if-form").elements.seller;
  if (!seller.value && person.sellers.length) seller.value = person.sellers[0];
  const audited = document.getElementById("audit-form").elements.seller;
  if (!audited.value && person.sellers.length) audited.value = person.sellers[0];
}

function showSignedOut(why) {
  clearInterval(liveTimer);
  signedIn = null;
  const said = document.getElementById("signed-out-why");
  said.dataset.usual ??= said.textContent;
  said.textContent = why || said.dataset.usual;
  document.getElementById("who").hidden = true;
  document.getElementById("sign-in").hidden = false;
  document.body.classList.add("signed-out");
  trouble(null);
  show("signed-out");
}

async function signOut() {
  await fetch("/console/sign-out", { method: "POST", headers: FROM_CONSOLE });
  showSignedOut();
}

// ---- routing -------------------------------------------------------------------------

// ---- listing audit -------------------------------------------------------------------

function auditQuery() {
  const form = document.getElementById("audit-form");
  const params = { seller: form.elements.seller.value, market: form.elements.market.value.toUpperCase() };
  return new URLSearchParams(Object.entries(params).filter(([, v]) => v));
}

async function runAudit(event) {
  if (event) event.preventDefault();
  const error = document.getElementById("audit-error");
  error.textContent = "";
  const query = auditQuery();
  document.getElementById("audit-csv").href = `/reports/listing-audit?${query}&format=csv`;
  document.getElementById("audit-xlsx").href = `/reports/listing-audit?${query}&format=xlsx`;
  const response = await call(`/reports/listing-audit?${query}`);
  if (!response.ok) {
    error.textContent = `${response.status}: ${await response.text()}`;
    return;
  }
  const { findings } = await response.json();
  const body = document.querySelector("#audit-findings tbody");
  body.replaceChildren(...findings.map((f) => row([
    f.sku, f.market, f.says, f.evidence,
    f.reasons ? `${f.reasons} · ${percent(f.reason_share)}` : "–",
    f.currency ? money(f.saving_minor, f.currency) : "–",
    f.source_url ? element("a", f.source, { href: f.source_url, rel: "noreferrer" }) : f.source,
  ])));
}

// A report that could not be read says so on the page; the next good read clears it. Signed
// out, the page offers the sign-in instead.
function trouble(failure) {
  if (failure instanceof SignedOut) return;
  const banner = document.getElementById("trouble");
  banner.textContent = failure ? `Could not read the reports: ${failure.message}` : "";
  banner.hidden = !failure;
  if (failure) console.error(failure);
}

function show(view) {
  for (const id of ["signed-out", "overview", "case", "what-if", "recovery", "listing-audit"]) document.getElementById(id).hidden = id !== view;
}

async function route() {
  clearInterval(liveTimer);
  const hash = location.hash.replace(/^#/, "") || "/";
  try {
    if (!signedIn) {
      signedIn = await whoIsSignedIn();
      if (!signedIn) {
        showSignedOut();
        return;
      }
      showWho(signedIn);
    }
    if (hash.startsWith("/cases/")) {
      show("case");
      await loadCase(decodeURIComponent(hash.slice("/cases/".length)));
    } else if (hash === "/what-if") {
      show("what-if");
    } else if (hash === "/recovery") {
      show("recovery");
      await loadRecovery();
    } else if (hash === "/listing-audit") {
      show("listing-audit");
    } else {
      show("overview");
      await loadOverview();
      liveTimer = setInterval(() => loadCases().then(() => trouble(null), trouble), LIVE_REFRESH_MS);
    }
    trouble(null);
  } catch (failure) {
    trouble(failure);
  }
}

window.addEventListener("hashchange", route);
document.getElementById("scope").addEventListener("change", () => loadOverview().then(() => trouble(null), trouble));
document.getElementById("case-filters").addEventListener("input", () => loadCases().then(() => trouble(null), trouble));
document.getElementById("pareto-listing").addEventListener("change", drawPareto);
document.getElementById("pareto-by").addEventListener("change", drawPareto);
document.getElementById("load-policy").addEventListener("click", loadPolicy);
document.getElementById("what-if-form").addEventListener("submit", runWhatIf);
document.getElementById("audit-form").addEventListener("submit", (event) => runAudit(event).catch(trouble));
document.getElementById("sign-out").addEventListener("click", () => signOut().catch(trouble));
for (const form of ["dead-letter-filters", "delivery-filters", "call-filters"]) {
  document.getElementById(form).addEventListener("change", () => loadRecovery().catch(trouble));
}
bulk("dead-letter-filters", null, "dead-letters", { redrive: "redrive", discard: "discard" });
bulk("delivery-filters", "intake", "deliveries", { retry: "retry", discard: "discard" });
bulk("call-filters", "intake", "failed-calls", { retry: "retry", discard: "discard" });  // or the form's service
route();
