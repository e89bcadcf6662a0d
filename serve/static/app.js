// The editor page: checks the copy as it is typed (debounced) through POST /v1/check, marks each finding
// behind the textarea by label colour, explains a mark on hover and lists every finding beside the text.
"use strict";

const DEBOUNCE_MS = 300;
const LABEL_NAMES = {
  absolute_term: "绝对化用语",
  exaggerated_claim: "夸大功效 / 承诺",
  misleading_statement: "虚假或引人误解",
};
const SEVERITY_NAMES = { block: "禁用", review: "需复核" };
const INDUSTRY_NAMES = {
  ecommerce: "电商综合", apparel: "服装鞋包", cosmetics: "化妆品", food: "普通食品", health_food: "保健食品",
  medical: "医疗服务", drugs_devices: "药品 / 医疗器械", finance: "金融理财", education: "教育培训",
  real_estate: "房地产", agriculture: "农业 / 种子", tourism: "文旅", electronics: "数码电子",
  appliances: "家用电器", auto: "汽车", mother_baby: "母婴",
};

const editor = document.getElementById("editor");
const backdrop = document.getElementById("backdrop");
const tooltip = document.getElementById("tooltip");
const summary = document.getElementById("summary");
const industry = document.getElementById("industry");
const statusLine = document.getElementById("status");
const count = document.getElementById("count");
const scorePanel = document.getElementById("score-panel");
const scores = document.getElementById("scores");
const empty = document.getElementById("empty");
const keyRow = document.getElementById("key-row");
const keyInput = document.getElementById("api-key");

let findings = [];
let latestRequest = 0;
let debounceTimer = null;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The API counts characters (code points); JavaScript strings count UTF-16 units. Index i of the result is
// the UTF-16 offset of code point i, so emoji and rare characters do not shift the marks.
function codePointOffsets(text) {
  const offsets = [];
  let unit = 0;
  for (const ch of text) {
    offsets.push(unit);
    unit += ch.length;
  }
  offsets.push(unit);
  return offsets;
}

// Overlapping findings become one mark that explains all of them; the first finding's label colours it.
function regions(spans) {
  const merged = [];
  spans.forEach((span, index) => {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) {
      last.end = Math.max(last.end, span.end);
      last.indexes.push(index);
    } else {
      merged.push({ start: span.start, end: span.end, label: span.label, indexes: [index] });
    }
  });
  return merged;
}

function renderMarks(text) {
  const offsets = codePointOffsets(text);
  const fragment = document.createDocumentFragment();
  let cursor = 0;
  for (const region of regions(findings)) {
    const start = offsets[region.start];
    const end = offsets[region.end];
    fragment.append(text.slice(cursor, start));
    const mark = element("mark", "hl", text.slice(start, end));
    mark.dataset.label = region.label;
    mark.dataset.findings = region.indexes.join(",");
    fragment.append(mark);
    cursor = end;
  }
  // A trailing newline needs a character after it, or the backdrop is one line shorter than the textarea.
  fragment.append(text.slice(cursor) + "\u200b");
  backdrop.replaceChildren(fragment);
}

function renderScores(result) {
  scores.replaceChildren();
  scorePanel.hidden = !result;
  if (!result) return;
  for (const [label, score] of Object.entries(result.scores)) {
    const row = element("div", "score-row");
    row.dataset.label = label;
    const bar = element("span", "score-bar");
    bar.style.setProperty("--score", String(score));
    row.append(element("span", "score-name", LABEL_NAMES[label] || label), bar,
               element("span", "score-value", score.toFixed(2)));
    scores.append(row);
  }
}

function renderSummary() {
  summary.replaceChildren();
  findings.forEach((span, index) => {
    const item = element("li", "finding");
    item.dataset.label = span.label;
    item.dataset.index = String(index);
    const head = element("div", "finding-head");
    head.append(element("span", "chip", LABEL_NAMES[span.label] || span.label),
                element("span", "finding-text", `「${span.text}」`),
                element("span", `severity severity-${span.severity}`, SEVERITY_NAMES[span.severity]));
    item.append(head, element("div", "finding-basis", span.basis),
                element("div", "finding-suggestion", span.suggestion));
    summary.append(item);
  });
  count.textContent = String(findings.length);
  empty.hidden = findings.length > 0;
}

function setStatus(state, message) {
  statusLine.dataset.state = state;
  statusLine.textContent = message;
}

function showResult(text, result, totalMs) {
  findings = result ? result.spans : [];
  renderMarks(text);
  renderSummary();
  renderScores(result);
  hideTooltip();
  if (!result) {
    setStatus("idle", "输入文案即开始检查");
  } else if (findings.length || result.labels.length) {
    setStatus("warn", `发现 ${findings.length} 处问题 · ${totalMs.toFixed(0)} ms`);
  } else {
    setStatus("ok", `未发现问题 · ${totalMs.toFixed(0)} ms`);
  }
}

async function check() {
  const text = editor.value;
  const request = ++latestRequest;
  if (!text.trim()) {
    showResult(text, null, 0);
    return;
  }
  setStatus("busy", "检查中…");
  const headers = { "Content-Type": "application/json" };
  if (keyInput.value) headers.Authorization = `Bearer ${keyInput.value}`;
  const body = { text };
  if (industry.value) body.industry = industry.value;
  try {
    const response = await fetch("/v1/check", { method: "POST", headers, body: JSON.stringify(body) });
    const payload = await response.json();
    if (request !== latestRequest) return;
    if (!response.ok) {
      if (response.status === 401) keyRow.hidden = false;
      setStatus("error", payload.error ? payload.error.message : `HTTP ${response.status}`);
      return;
    }
    showResult(text, payload.results[0], payload.timings_ms.total);
  } catch (error) {
    if (request === latestRequest) setStatus("error", `无法连接检查服务：${error.message}`);
  }
}

// While the next check is pending, keep the marks whose words are still where they were.
function keepFindingsStillInPlace(text) {
  const offsets = codePointOffsets(text);
  findings = findings.filter((span) =>
    span.end < offsets.length && text.slice(offsets[span.start], offsets[span.end]) === span.text);
}

function scheduleCheck() {
  keepFindingsStillInPlace(editor.value);
  renderMarks(editor.value);
  renderSummary();
  clearTimeout(debounceTimer);
  debounceTimer = setTimeout(check, DEBOUNCE_MS);
}

function showTooltip(mark) {
  const indexes = mark.dataset.findings.split(",").map(Number);
  tooltip.replaceChildren();
  for (const span of indexes.map((i) => findings[i])) {
    const entry = element("div", "tip-entry");
    entry.dataset.label = span.label;
    entry.append(
      element("div", "tip-label", `${LABEL_NAMES[span.label] || span.label} · ${SEVERITY_NAMES[span.severity]}`),
      element("div", "tip-row", `依据：${span.basis}`),
      element("div", "tip-row", `建议：${span.suggestion}`),
      element("div", "tip-meta", `${span.source === "rule" ? `规则 ${span.rule_id}` : "模型"} · 置信度 ${span.score.toFixed(2)}`),
    );
    tooltip.append(entry);
  }
  const box = mark.getBoundingClientRect();
  tooltip.hidden = false;
  const width = tooltip.offsetWidth;
  const left = Math.min(Math.max(8, box.left), window.innerWidth - width - 8);
  tooltip.style.left = `${left + window.scrollX}px`;
  tooltip.style.top = `${box.bottom + window.scrollY + 6}px`;
  for (const other of backdrop.querySelectorAll(".hl.active")) other.classList.remove("active");
  mark.classList.add("active");
}

function hideTooltip() {
  tooltip.hidden = true;
  for (const mark of backdrop.querySelectorAll(".hl.active")) mark.classList.remove("active");
}

// The textarea lies on top of the marks, so hovering asks which mark is under the pointer.
function markAt(x, y) {
  return document.elementsFromPoint(x, y).find((node) => node.classList && node.classList.contains("hl"));
}

function markOfFinding(index) {
  return [...backdrop.querySelectorAll(".hl")].find((mark) =>
    mark.dataset.findings.split(",").map(Number).includes(index));
}

function fitEditorHeight() {
  editor.style.height = "auto";
  editor.style.height = `${editor.scrollHeight}px`;
}

async function loadIndustries() {
  const spec = await (await fetch("/openapi.json")).json();
  for (const id of spec.components.schemas.Industry.enum) {
    const option = element("option", null, INDUSTRY_NAMES[id] || id);
    option.value = id;
    industry.append(option);
  }
}

editor.addEventListener("input", () => {
  fitEditorHeight();
  scheduleCheck();
});
editor.addEventListener("mousemove", (event) => {
  const mark = markAt(event.clientX, event.clientY);
  if (mark) showTooltip(mark);
  else hideTooltip();
});
editor.addEventListener("mouseleave", hideTooltip);
industry.addEventListener("change", check);
keyInput.addEventListener("change", check);
summary.addEventListener("mouseover", (event) => {
  const item = event.target.closest(".finding");
  const mark = item && markOfFinding(Number(item.dataset.index));
  if (mark) showTooltip(mark);
});
summary.addEventListener("mouseleave", hideTooltip);
summary.addEventListener("click", (event) => {
  const item = event.target.closest(".finding");
  if (!item) return;
  const span = findings[Number(item.dataset.index)];
  const offsets = codePointOffsets(editor.value);
  editor.focus();
  editor.setSelectionRange(offsets[span.start], offsets[span.end]);
});
window.addEventListener("resize", fitEditorHeight);

loadIndustries().catch(() => setStatus("error", "无法读取行业列表"));
fitEditorHeight();
if (editor.value) scheduleCheck();
