// ecograph query page. No framework, no CDN: everything comes from this server.
// Data from the store is only ever written with textContent, never as HTML.
"use strict";

(function () {
  const RESULTS_ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  const state = { queries: [], selected: null, runs: 0 };
  const $ = (id) => document.getElementById(id);

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function setStatus(text) {
    $("status").textContent = text;
  }

  function setBusy(busy) {
    $("run").disabled = busy;
    $("download").disabled = busy;
  }

  // ------------------------------------------------------------------ library
  async function loadLibrary() {
    let response;
    try {
      response = await fetch("queries.json", { headers: { Accept: "application/json" } });
    } catch (err) {
      setStatus("The query library could not be loaded.");
      return;
    }
    if (!response.ok) {
      setStatus("The query library could not be loaded.");
      return;
    }
    state.queries = await response.json();
    const select = $("library");
    for (const query of state.queries) {
      const option = element("option", query.title);
      option.value = query.name;
      select.append(option);
    }
  }

  function pick(name) {
    const query = state.queries.find((candidate) => candidate.name === name) || null;
    state.selected = query;
    $("description").textContent = query ? query.description : "";
    renderParameters(query);
    if (query) $("query").value = query.text;
    noteEdits();
  }

  function renderParameters(query) {
    const box = $("parameters");
    box.replaceChildren();
    if (!query) return;
    for (const parameter of query.parameters) {
      const id = "param-" + parameter.name;
      const row = element("div", null, "param");
      const label = element("label", parameter.name + " (" + parameter.type + ")");
      label.htmlFor = id;
      const input = document.createElement("input");
      input.id = id;
      input.type = "text";
      input.value = parameter.example;
      input.placeholder = parameter.example;
      input.dataset.param = parameter.name;
      input.setAttribute("aria-describedby", id + "-help");
      const help = element("small", parameter.description);
      help.id = id + "-help";
      row.append(label, input, help);
      box.append(row);
    }
  }

  // A library query runs by name with its parameters bound by the server (as RDF terms);
  // once its text is edited it is a free query, sent as written.
  function runsAsLibraryQuery() {
    return state.selected !== null && $("query").value === state.selected.text;
  }

  function noteEdits() {
    const edited = state.selected !== null && !runsAsLibraryQuery();
    $("edited-note").hidden = !edited || state.selected.parameters.length === 0;
    for (const input of $("parameters").querySelectorAll("input")) input.disabled = edited;
  }

  // ------------------------------------------------------------------ requests
  function send(accept) {
    if (runsAsLibraryQuery()) {
      const params = {};
      for (const input of $("parameters").querySelectorAll("input[data-param]")) {
        params[input.dataset.param] = input.value;
      }
      return fetch("api/run", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: accept },
        body: JSON.stringify({ name: state.selected.name, params: params }),
      });
    }
    return fetch("sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: new URLSearchParams({ query: $("query").value }),
    });
  }

  async function showError(response) {
    let message = "The server answered " + response.status + ".";
    let line = null;
    let column = null;
    try {
      const body = await response.json();
      if (body && typeof body.error === "string") message = body.error;
      if (body && Number.isInteger(body.line)) {
        line = body.line;
        column = Number.isInteger(body.column) ? body.column : 1;
      }
    } catch (err) {
      // not JSON: keep the status line
    }
    const results = $("results");
    const where = line === null ? "" : "Line " + line + ", column " + column + ": ";
    results.replaceChildren(element("p", where + message, "error"));
    if (line !== null) placeCursor(line, column);
    setStatus("");
  }

  function placeCursor(line, column) {
    const lines = $("query").value.split("\n");
    let offset = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
    offset += Math.max(0, column - 1);
    $("query").setSelectionRange(offset, offset);
  }

  // ------------------------------------------------------------------ rendering
  // A value sits in <bdi> without bidi embeddings, overrides or isolates: a U+202E in a name
  // cannot reverse it or the cells after it (the CSV download keeps every character).
  const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

  function cell(term) {
    const td = element("td");
    if (!term) return td;
    td.append(element("bdi", String(term.value).replace(BIDI_CONTROLS, "")));
    if (term.type === "uri") td.className = "uri";
    if (term["xml:lang"]) td.title = "@" + term["xml:lang"];
    else if (term.datatype) td.title = term.datatype;
    return td;
  }

  function renderResults(data, truncatedHeader) {
    const results = $("results");
    if (typeof data.boolean === "boolean") {
      results.replaceChildren(element("p", "Answer: " + (data.boolean ? "yes (true)" : "no (false)")));
      setStatus("");
      return;
    }
    const variables = (data.head && data.head.vars) || [];
    const bindings = (data.results && data.results.bindings) || [];
    const table = element("table");
    const head = element("thead");
    const headRow = element("tr");
    for (const variable of variables) headRow.append(element("th", variable));
    head.append(headRow);
    const body = element("tbody");
    for (const binding of bindings) {
      const row = element("tr");
      for (const variable of variables) row.append(cell(binding[variable]));
      body.append(row);
    }
    table.append(head, body);
    const parts = [];
    if (data.truncated === true || truncatedHeader === "true") {
      parts.push(element("p", "Only the first " + bindings.length + " rows are shown: the " +
        "server cuts results at its row cap (--max-rows).", "notice"));
    }
    parts.push(table);
    if (bindings.length === 0) parts.push(element("p", "No rows."));
    results.replaceChildren(...parts);
    setStatus(bindings.length + (bindings.length === 1 ? " row" : " rows"));
  }

  function renderText(text) {
    $("results").replaceChildren(element("pre", text));
    setStatus("");
  }

  // ------------------------------------------------------------------ actions
  // A run first empties #results, so the previous answer (rows or an error) can never be read
  // as this one's. #results carries the run's number in data-run, and aria-busy="true" until
  // this run's answer is in place: a screen reader, or a test, knows which answer it reads.
  async function run() {
    if ($("run").disabled) return; // Ctrl+Enter while a run or a download is still going
    const results = $("results");
    state.runs += 1;
    results.dataset.run = String(state.runs);
    results.setAttribute("aria-busy", "true");
    results.replaceChildren();
    setBusy(true);
    setStatus("Running…");
    try {
      const response = await send(RESULTS_ACCEPT);
      if (!response.ok) {
        await showError(response);
        return;
      }
      const type = response.headers.get("Content-Type") || "";
      if (type.includes("json")) {
        renderResults(await response.json(), response.headers.get("X-Ecograph-Truncated"));
      } else {
        renderText(await response.text());
      }
    } catch (err) {
      results.replaceChildren(element("p", "The server could not be reached.", "error"));
      setStatus("");
    } finally {
      results.setAttribute("aria-busy", "false");
      setBusy(false);
    }
  }

  async function download() {
    setBusy(true);
    setStatus("Preparing CSV…");
    try {
      const response = await send("text/csv");
      if (!response.ok) {
        await showError(response);
        return;
      }
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = (state.selected && runsAsLibraryQuery() ? state.selected.name : "results") + ".csv";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      setStatus("CSV downloaded.");
    } catch (err) {
      $("results").replaceChildren(element("p", "The server could not be reached.", "error"));
      setStatus("");
    } finally {
      setBusy(false);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("library").addEventListener("change", (event) => pick(event.target.value));
    $("query").addEventListener("input", noteEdits);
    $("query").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        run();
      }
    });
    $("run").addEventListener("click", run);
    $("download").addEventListener("click", download);
    loadLibrary();
  });
})();
