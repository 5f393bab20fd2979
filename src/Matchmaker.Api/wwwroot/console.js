// The coordinators' console: the public API only, with the pasted key sent as X-Api-Key to this origin.
// Data is written with textContent (never innerHTML), so names and reasons cannot inject markup.
(() => {
  'use strict';
  const KEY = 'matchmaker-console-key';
  const REASONS = [
    ['wrong-field', '领域不符', 'wrong field'], ['too-far', '距离太远', 'too far'],
    ['already-partners', '已是伙伴', 'already partners'], ['not-right-stage', '阶段不合', 'not the right stage'],
    ['no-capacity', '无余力', 'no capacity'], ['other', '其他', 'other'],
  ];
  const $ = id => document.getElementById(id);
  const state = { key: '', canFeedback: false, canPlan: false, org: null, items: [], plan: null };
  const lang = () => $('lang').value;
  const t = (zh, en) => lang() === 'en' ? en : zh;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const svg = (tag, attrs) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  };
  const status = (text, error) => { $('status').textContent = text || ''; $('status').className = error ? 'error' : ''; };
  const name = o => o ? (lang() === 'en' ? (o.nameEn || o.nameZh) : (o.nameZh || o.nameEn)) : '';

  async function api(method, path, body) {
    const headers = { 'X-Api-Key': state.key, 'Accept': 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    return { status: response.status, ok: response.ok, data };
  }
  const problem = r => (r.data && (r.data.detail || r.data.title)) || `HTTP ${r.status}`;

  // What the key may do, found without admin: read by a one-item search, plan by reopening a plan that does not
  // exist (404 with the scope, 403 without), feedback per organization by reading its feedback log.
  async function useKey(key) {
    state.key = key;
    status(t('正在检查密钥…', 'Checking the key…'));
    const read = await api('GET', '/api/v1/organizations?limit=1');
    if (read.status === 401) { status(t('密钥无效或已撤销', 'The key is unknown or revoked'), true); return; }
    if (!read.ok) { status(t('此密钥不能读取（需要 read 权限）', 'This key cannot read (needs the read scope)'), true); return; }
    sessionStorage.setItem(KEY, key);
    const plan = await api('GET', '/api/v1/consortia/plans/console-scope-probe');
    state.canPlan = plan.status === 404;
    document.body.dataset.ready = 'true';
    $('search-box').hidden = false;
    status(t('密钥可用', 'Key accepted') + (state.canPlan ? '' : t('（无规划权限）', ' (no plan scope)')));
  }

  async function search(q) {
    const r = await api('GET', '/api/v1/organizations?limit=20&q=' + encodeURIComponent(q));
    if (!r.ok) { status(problem(r), true); return; }
    const list = $('orgs');
    list.replaceChildren(...r.data.items.map(o => el('li', { class: 'org' },
      el('button', { type: 'button', 'data-id': o.id, onclick: () => openOrg(o.id) }, name(o)),
      el('span', { class: 'meta' }, ` ${o.kind} · ${o.city}`))));
    if (r.data.items.length === 0) list.append(el('li', { class: 'empty' }, t('没有找到', 'Nothing found')));
    status('');
  }

  async function openOrg(id) {
    const r = await api('GET', '/api/v1/organizations/' + encodeURIComponent(id));
    if (!r.ok) { status(problem(r), true); return; }
    state.org = r.data;
    state.plan = null;
    $('org-box').hidden = false;
    $('teams').replaceChildren();
    showOrg();
    const feedback = await api('GET', `/api/v1/organizations/${encodeURIComponent(id)}/feedback?limit=1`);
    state.canFeedback = feedback.ok;
    $('plan-box').hidden = !state.canPlan;
    await loadList();
  }

  function showOrg() {
    const o = state.org;
    $('org-name').textContent = name(o);
    $('org-meta').textContent = [o.kind, o.city, (o.sectors || []).join(', ')].filter(Boolean).join(' · ');
  }

  async function loadList() {
    const r = await api('GET', `/api/v1/organizations/${encodeURIComponent(state.org.id)}/recommendations?limit=10`);
    $('recs-title').textContent = t('推荐伙伴', 'Recommended partners');
    $('query-clear').hidden = true;
    state.items = r.ok ? r.data.items : [];
    if (!r.ok) status(r.status === 404 ? t('列表尚未计算', 'The list is not computed yet') : problem(r), true);
    renderList();
  }

  async function runQuery(text) {
    status(t('正在计算…', 'Ranking…'));
    const r = await api('POST', `/api/v1/organizations/${encodeURIComponent(state.org.id)}/recommendations/query`, { text, limit: 10 });
    if (!r.ok) { status(problem(r), true); return; }
    state.items = r.data.items;
    $('recs-title').textContent = t('按文本推荐的伙伴', 'Partners for the text');
    $('query-clear').hidden = false;
    status('');
    renderList();
  }

  function renderList() {
    const list = $('recs');
    list.replaceChildren(...state.items.map(item => {
      const reasons = el('ul', { class: 'reasons' }, ...item.reasons.map(reason => el('li', { class: 'reason' },
        el('span', { class: 'reason-text' }, lang() === 'en' ? reason.en : reason.zh),
        reason.evidence && reason.evidence.length ? el('span', { class: 'evidence' }, reason.evidence.join('；')) : null)));
      const li = el('li', { class: 'rec', 'data-candidate': item.candidateId },
        el('div', { class: 'rec-head' },
          el('span', { class: 'rank' }, item.rank),
          el('strong', { class: 'name' }, name(item.candidate) || item.candidateId),
          item.strength !== undefined && item.strength !== null ? el('span', { class: 'strength ' + (item.strengthLevel || '') }, item.strength) : null,
          item.candidate ? el('span', { class: 'meta' }, `${item.candidate.kind} · ${item.candidate.city}`) : null),
        reasons);
      if (state.canFeedback) li.append(feedbackControls(item, li));
      if (item.feedback) li.append(el('span', { class: 'given' }, item.feedback));
      return li;
    }));
    if (state.items.length === 0) list.append(el('li', { class: 'empty' }, t('暂无推荐', 'No recommendations')));
  }

  function feedbackControls(item, li) {
    const reason = el('select', { class: 'decline-reason', 'aria-label': t('谢绝原因', 'Reason') },
      ...REASONS.map(([code, zh, en]) => el('option', { value: code }, lang() === 'en' ? en : zh)));
    const send = async (action) => {
      const body = { candidateId: item.candidateId, action };
      if (action === 'decline') body.reason = reason.value;
      const r = await api('POST', `/api/v1/organizations/${encodeURIComponent(state.org.id)}/feedback`, body);
      if (r.status === 403) { state.canFeedback = false; renderList(); status(t('此密钥不能反馈', 'This key cannot give feedback'), true); return; }
      if (!r.ok) { status(problem(r), true); return; }
      if (action === 'decline') {
        // A declined candidate is hidden from the organization's lists; the shown list follows at once.
        state.items = state.items.filter(i => i.candidateId !== item.candidateId);
        li.remove();
        status(t('已谢绝', 'Declined'));
      } else {
        item.feedback = action;
        li.classList.add('accepted');
        status(t('已接受', 'Accepted'));
      }
    };
    return el('div', { class: 'feedback' },
      el('button', { type: 'button', class: 'accept', onclick: () => send('accept') }, t('接受', 'Accept')),
      reason,
      el('button', { type: 'button', class: 'decline', onclick: () => send('decline') }, t('谢绝', 'Decline')));
  }

  async function plan(challenge) {
    const body = { leadId: state.org.id, sector: (state.org.sectors || [])[0], alternatives: 3 };
    if (challenge) body.challenge = challenge;
    status(t('正在规划…', 'Planning…'));
    const r = await api('POST', '/api/v1/consortia/plans', body);
    // A plan key bound to another organization may still plan for its own: hide planning here only.
    if (r.status === 403) { $('plan-box').hidden = true; status(t('此密钥不能为该机构规划', 'This key cannot plan for this organization'), true); return; }
    if (!r.ok) { status(problem(r), true); return; }
    state.plan = r.data;
    status('');
    renderPlan();
  }

  function renderPlan() {
    const p = state.plan;
    if (!p) return;
    const roleOf = slot => { const s = p.slots.find(x => x.index === slot); return s ? (lang() === 'en' ? s.role : s.roleZh) : ''; };
    $('teams').replaceChildren(...p.alternatives.map(alt => {
      const parts = el('dl', { class: 'parts' }, ...[['fit', '匹配', 'fit'], ['cohesion', '凝聚', 'cohesion'], ['coverage', '覆盖', 'coverage']]
        .flatMap(([k, zh, en]) => [el('dt', {}, t(zh, en)), el('dd', { class: 'part-' + k },
          el('meter', { min: '0', max: '1', value: String(alt.parts[k]) }), ' ' + alt.parts[k].toFixed(2))]));
      const members = el('ul', { class: 'members' }, ...alt.members.map(m => el('li', {},
        el('span', { class: 'role' }, roleOf(m.slot)), ' ', name(m.organization) || m.organizationId)));
      return el('article', { class: 'team', 'data-rank': alt.rank },
        el('h4', {}, t(`方案 ${alt.rank}`, `Team ${alt.rank}`), el('span', { class: 'score' }, alt.score.toFixed(2))),
        teamGraph(p, alt, roleOf), parts, members);
    }));
  }

  // The lead in the centre, members around it, labelled by role; edges are the plan's own ties (joint projects,
  // typed ties, shared partners), thicker for more.
  function teamGraph(p, alt, roleOf) {
    const size = 220, c = size / 2, r = 80;
    const nodes = [{ id: p.leadId, label: t('牵头', 'lead'), title: name(p.lead), x: c, y: c, lead: true }];
    alt.members.forEach((m, i) => {
      const a = -Math.PI / 2 + 2 * Math.PI * i / alt.members.length;
      nodes.push({ id: m.organizationId, label: roleOf(m.slot), title: name(m.organization), x: c + r * Math.cos(a), y: c + r * Math.sin(a) });
    });
    const at = new Map(nodes.map(n => [n.id, n]));
    const g = svg('svg', { viewBox: `0 0 ${size} ${size}`, class: 'graph', role: 'img', 'aria-label': t('团队关系图', 'team graph') });
    for (const tie of alt.ties || []) {
      const a = at.get(tie.a), b = at.get(tie.b);
      if (!a || !b) continue;
      const line = svg('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'tie tie-' + tie.kind, 'stroke-width': String(Math.min(1 + tie.count, 6)) });
      line.append(svg('title', {}));
      line.lastChild.textContent = `${tie.kind} × ${tie.count}`;
      g.append(line);
    }
    for (const n of nodes) {
      const group = svg('g', { class: n.lead ? 'node lead' : 'node' });
      group.append(svg('circle', { cx: n.x, cy: n.y, r: n.lead ? 22 : 18 }));
      const label = svg('text', { x: n.x, y: n.y + 4, 'text-anchor': 'middle' });
      label.textContent = n.label;
      const title = svg('title', {});
      title.textContent = n.title;
      group.append(label, title);
      g.append(group);
    }
    return g;
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('key-form').addEventListener('submit', e => { e.preventDefault(); const k = $('key').value.trim(); if (k) useKey(k); });
    $('key-forget').addEventListener('click', () => { sessionStorage.removeItem(KEY); location.reload(); });
    $('search-form').addEventListener('submit', e => { e.preventDefault(); search($('q').value.trim()); });
    $('query-form').addEventListener('submit', e => { e.preventDefault(); const text = $('query-text').value.trim(); if (text) runQuery(text); });
    $('query-clear').addEventListener('click', () => loadList());
    $('plan-form').addEventListener('submit', e => { e.preventDefault(); plan($('challenge').value.trim()); });
    $('lang').addEventListener('change', () => {
      document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
      if (state.org) { showOrg(); renderList(); renderPlan(); }
    });
    const saved = sessionStorage.getItem(KEY);
    if (saved) { $('key').value = saved; useKey(saved); }
  });
})();
