// The console page: every value is put in the page as text (textContent), never as HTML, so a message
// value holding <script> is shown, not run.
'use strict';

const REFRESH_MS = 2000;
const tokenInput = document.getElementById('token');
tokenInput.value = localStorage.getItem('consoleToken') || '';
tokenInput.addEventListener('change', () => localStorage.setItem('consoleToken', tokenInput.value));

// Plain promises and DOM calls (no async/await, spread or ??): the page also runs in HtmlUnit, the Java
// browser the build falls back to where Chromium is not installed.
function api(path, options) {
  const headers = { 'Accept': 'application/json' };
  if (tokenInput.value) {
    headers['X-Console-Token'] = tokenInput.value;
  }
  return fetch('api/' + path, Object.assign({}, options || {}, { headers: headers }))
    .then(response => response.json().then(body => {
      if (!response.ok) {
        throw new Error(body.error || response.statusText);
      }
      return body;
    }));
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

function orNull(value) {
  return value === null || value === undefined ? 'null' : value;
}

function clear(element) {
  while (element.firstChild) {
    element.removeChild(element.firstChild);
  }
}

function fill(tableId, items, render) {
  const body = document.querySelector('#' + tableId + ' tbody');
  clear(body);
  items.forEach(item => render(body.insertRow(), item));
}

function refreshFlows() {
  return api('flows').then(flows => fill('flows', flows, (row, flow) => {
    row.id = 'flow-' + flow.id;
    cell(row, flow.id);
    cell(row, flow.state, 'state state-' + flow.state);
    cell(row, number(flow.recordsIn), 'number in');
    cell(row, number(flow.recordsOut), 'number out');
    cell(row, number(flow.ratePerSecond), 'number rate');
    cell(row, number(flow.errors), 'number errors');
    cell(row, number(flow.deadLetters), 'number dead-letters');
    cell(row, flow.position, 'position');
    cell(row, flow.held.join(', '), 'held');
    if (flow.state === 'Standby') {
      // another instance polls this table; this one takes over if that one stops
      cell(row, 'another instance polls', 'standby');
      return;
    }
    const button = document.createElement('button');
    const paused = flow.state !== 'Started';
    button.textContent = paused ? 'Resume' : 'Pause';
    button.className = 'toggle';
    button.addEventListener('click', () => toggle(flow.id, paused ? 'resume' : 'pause'));
    row.insertCell().appendChild(button);
  }));
}

// each flow's steps, one list per flow, nested steps indented
function refreshSteps() {
  return api('steps').then(flows => {
    const container = document.getElementById('steps');
    // a reloaded route file changes its flow's steps: redraw, keeping open the lists that were open
    const open = Array.prototype.filter.call(container.querySelectorAll('details'), d => d.open).map(d => d.id);
    clear(container);
    flows.forEach(flow => {
      const details = document.createElement('details');
      details.id = 'steps-' + flow.flow;
      details.open = open.indexOf(details.id) >= 0;
      const summary = document.createElement('summary');
      summary.textContent = flow.flow + ' (' + flow.steps.length + ' steps)';
      details.appendChild(summary);
      const list = document.createElement('ol');
      flow.steps.forEach(step => {
        const item = document.createElement('li');
        item.className = 'step';
        item.style.marginLeft = (step.depth * 1.5) + 'em';
        const name = document.createElement('b');
        name.textContent = step.step;
        item.appendChild(name);
        item.appendChild(document.createTextNode(' ' + step.what));
        if (step.route !== flow.flow) {
          item.appendChild(document.createTextNode(' (route ' + step.route + ')'));
        }
        if (step.exchanges !== null && step.exchanges !== undefined) {
          const count = document.createElement('span');
          count.className = 'exchanges';
          count.textContent = ' ×' + number(step.exchanges);
          item.appendChild(count);
        }
        list.appendChild(item);
      });
      details.appendChild(list);
      container.appendChild(details);
    });
  });
}

function toggle(flowId, action) {
  const error = document.getElementById('action-error');
  return api('flows/' + encodeURIComponent(flowId) + '/' + action, { method: 'POST' })
    .then(() => { error.textContent = ''; }, e => { error.textContent = action + ' ' + flowId + ': ' + e.message; })
    .then(refreshFlows);
}

function refreshTopics() {
  return api('topics').then(topics => fill('topics', topics, (row, topic) => {
    const link = document.createElement('a');
    link.id = 'topic-' + topic.name;
    link.textContent = topic.name;
    link.addEventListener('click', () => openTopic(topic));
    row.insertCell().appendChild(link);
    cell(row, topic.partitions.length, 'number');
    cell(row, number(topic.partitions.reduce((sum, p) => sum + (p.end - p.beginning), 0)), 'number');
  }));
}

function refreshGroups() {
  return api('groups').then(groups => {
    const rows = [];
    groups.forEach(group => group.partitions.forEach(p => rows.push(Object.assign({ group: group.group }, p))));
    fill('groups', rows, (row, p) => {
      cell(row, p.group);
      cell(row, p.topic + '-' + p.partition);
      cell(row, number(p.committed), 'number');
      cell(row, number(p.end), 'number');
      cell(row, number(p.lag), 'number lag');
    });
  });
}

function refreshSinks() {
  return api('sinks').then(sinks => {
    document.getElementById('mysql-table').textContent = sinks.mysql ? sinks.mysql.table : 'off';
    document.getElementById('mysql-rows').textContent = sinks.mysql ? number(sinks.mysql.rows) : '–';
    fill('objects', sinks.s3 ? sinks.s3.newest : [], (row, object) => {
      cell(row, object.key);
      cell(row, number(object.size), 'number');
      cell(row, object.uploadedAt);
    });
  });
}

function refreshHealth() {
  const badge = document.getElementById('health');
  return api('health').then(health => {
    badge.textContent = 'ready: ' + health.status;
    badge.className = 'badge ' + health.status;
  }, () => {
    badge.textContent = 'not answering';
    badge.className = 'badge DOWN';
  });
}

let browsing = null;

function openTopic(topic) {
  browsing = topic.name;
  document.getElementById('browser').hidden = false;
  document.getElementById('browse-topic').textContent = topic.name;
  const select = document.getElementById('browse-partition');
  clear(select);
  topic.partitions.forEach(p => select.appendChild(new Option(String(p.partition), String(p.partition))));
  document.getElementById('browse-offset').value = '';
  showMessages();
}

function showMessages() {
  const partition = document.getElementById('browse-partition').value;
  const offset = document.getElementById('browse-offset').value;
  const query = 'partition=' + encodeURIComponent(partition) + (offset === '' ? '' : '&offset=' + encodeURIComponent(offset));
  return api('topics/' + encodeURIComponent(browsing) + '/messages?' + query).then(messages => {
    const list = document.getElementById('messages');
    clear(list);
    messages.forEach(message => {
      const box = document.createElement('div');
      box.className = 'message';
      const head = document.createElement('div');
      head.className = 'head';
      head.textContent = 'offset ' + message.offset + ' · ' + message.timestamp + ' · key ' + orNull(message.key);
      box.appendChild(head);
      Object.keys(message.headers).forEach(name => {
        const header = document.createElement('div');
        header.className = 'header';
        header.textContent = name + ': ' + message.headers[name];
        box.appendChild(header);
      });
      const value = document.createElement('pre');
      value.className = 'value';
      value.textContent = orNull(message.value);
      box.appendChild(value);
      list.appendChild(box);
    });
  });
}

document.getElementById('browse-form').addEventListener('submit', event => {
  event.preventDefault();
  showMessages();
});

// each part of the page refreshes on its own: one that fails leaves the others drawn
function refresh() {
  const quietly = promise => promise.catch(() => null);
  return Promise.all([refreshFlows(), refreshGroups(), refreshSinks(), refreshHealth()].map(quietly));
}

// with several instances each has its own console: the header says which one this is
api('instance').then(instance => {
  document.getElementById('instance').textContent = 'instance ' + instance.id;
}).catch(() => null);
refresh();
refreshTopics();
refreshSteps();
setInterval(refresh, REFRESH_MS);
setInterval(refreshTopics, 5 * REFRESH_MS);
setInterval(refreshSteps, 5 * REFRESH_MS);
