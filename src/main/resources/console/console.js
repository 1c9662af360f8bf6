// The console page: every value is put in the page as text (textContent), never as HTML, so a message
// value holding <script> is shown, not run.
'use strict';

const REFRESH_MS = 2000;
const tokenInput = document.getElementById('token');
tokenInput.value = localStorage.getItem('consoleToken') || '';
tokenInput.addEventListener('change', () => localStorage.setItem('consoleToken', tokenInput.value));

async function api(path, options = {}) {
  const headers = { 'Accept': 'application/json' };
  if (tokenInput.value) {
    headers['X-Console-Token'] = tokenInput.value;
  }
  const response = await fetch('api/' + path, { ...options, headers });
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.error || response.statusText);
  }
  return body;
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? '–' : String(text);
  if (className) {
    td.className = className;
  }
  return td;
}

function number(value) {
  return value === null || value === undefined ? '–' : Number(value).toLocaleString('en');
}

function fill(tableId, items, render) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren();
  items.forEach(item => render(body.insertRow(), item));
}

async function refreshFlows() {
  const flows = await api('flows');
  fill('flows', flows, (row, flow) => {
    row.id = 'flow-' + flow.id;
    cell(row, flow.id);
    cell(row, flow.state, 'state state-' + flow.state);
    cell(row, number(flow.recordsIn), 'number in');
    cell(row, number(flow.recordsOut), 'number out');
    cell(row, number(flow.ratePerSecond), 'number rate');
    cell(row, number(flow.errors), 'number errors');
    cell(row, number(flow.deadLetters), 'number dead-letters');
    cell(row, flow.position, 'position');
    const button = document.createElement('button');
    const paused = flow.state !== 'Started';
    button.textContent = paused ? 'Resume' : 'Pause';
    button.className = 'toggle';
    button.addEventListener('click', () => toggle(flow.id, paused ? 'resume' : 'pause'));
    row.insertCell().appendChild(button);
  });
}

async function toggle(flowId, action) {
  const error = document.getElementById('action-error');
  try {
    await api('flows/' + encodeURIComponent(flowId) + '/' + action, { method: 'POST' });
    error.textContent = '';
  } catch (e) {
    error.textContent = action + ' ' + flowId + ': ' + e.message;
  }
  await refreshFlows();
}

async function refreshTopics() {
  const topics = await api('topics');
  fill('topics', topics, (row, topic) => {
    const link = document.createElement('a');
    link.id = 'topic-' + topic.name;
    link.textContent = topic.name;
    link.addEventListener('click', () => openTopic(topic));
    row.insertCell().appendChild(link);
    cell(row, topic.partitions.length, 'number');
    cell(row, number(topic.partitions.reduce((sum, p) => sum + (p.end - p.beginning), 0)), 'number');
  });
}

async function refreshGroups() {
  const groups = await api('groups');
  const rows = groups.flatMap(group => group.partitions.map(p => ({ group: group.group, ...p })));
  fill('groups', rows, (row, p) => {
    cell(row, p.group);
    cell(row, p.topic + '-' + p.partition);
    cell(row, number(p.committed), 'number');
    cell(row, number(p.end), 'number');
    cell(row, number(p.lag), 'number lag');
  });
}

async function refreshSinks() {
  const sinks = await api('sinks');
  document.getElementById('mysql-table').textContent = sinks.mysql ? sinks.mysql.table : 'off';
  document.getElementById('mysql-rows').textContent = sinks.mysql ? number(sinks.mysql.rows) : '–';
  fill('objects', sinks.s3 ? sinks.s3.newest : [], (row, object) => {
    cell(row, object.key);
    cell(row, number(object.size), 'number');
    cell(row, object.uploadedAt);
  });
}

async function refreshHealth() {
  const badge = document.getElementById('health');
  try {
    const health = await api('health');
    badge.textContent = 'ready: ' + health.status;
    badge.className = 'badge ' + health.status;
  } catch (e) {
    badge.textContent = 'not answering';
    badge.className = 'badge DOWN';
  }
}

let browsing = null;

function openTopic(topic) {
  browsing = topic.name;
  document.getElementById('browser').hidden = false;
  document.getElementById('browse-topic').textContent = topic.name;
  const select = document.getElementById('browse-partition');
  select.replaceChildren(...topic.partitions.map(p => new Option(String(p.partition), String(p.partition))));
  document.getElementById('browse-offset').value = '';
  showMessages();
}

async function showMessages() {
  const partition = document.getElementById('browse-partition').value;
  const offset = document.getElementById('browse-offset').value;
  const query = 'partition=' + encodeURIComponent(partition) + (offset === '' ? '' : '&offset=' + encodeURIComponent(offset));
  const messages = await api('topics/' + encodeURIComponent(browsing) + '/messages?' + query);
  const list = document.getElementById('messages');
  list.replaceChildren();
  for (const message of messages) {
    const box = document.createElement('div');
    box.className = 'message';
    const head = document.createElement('div');
    head.className = 'head';
    head.textContent = 'offset ' + message.offset + ' · ' + message.timestamp + ' · key ' + (message.key ?? 'null');
    box.appendChild(head);
    for (const [name, value] of Object.entries(message.headers)) {
      const header = document.createElement('div');
      header.className = 'header';
      header.textContent = name + ': ' + value;
      box.appendChild(header);
    }
    const value = document.createElement('pre');
    value.className = 'value';
    value.textContent = message.value ?? 'null';
    box.appendChild(value);
    list.appendChild(box);
  }
}

document.getElementById('browse-form').addEventListener('submit', event => {
  event.preventDefault();
  showMessages();
});

async function refresh() {
  await Promise.allSettled([refreshFlows(), refreshGroups(), refreshSinks(), refreshHealth()]);
}

refresh();
refreshTopics();
setInterval(refresh, REFRESH_MS);
setInterval(refreshTopics, 5 * REFRESH_MS);
