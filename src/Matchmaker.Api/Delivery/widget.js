/* Matchmaker widget v1: shows an organization's top matches on a partner site.
   Embed:
     <div data-matchmaker-widget data-organization="tongji-auto" data-key="mm_…" data-lang="zh" data-limit="5"></div>
     <script src="https://matchmaker.example.cn/widget/v1.js" async></script>
   The key is a publishable key: read scope only, bound to the organization, allowed only from this site's origin. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var api = new URL(script.src).origin;
  var texts = {
    zh: { title: '推荐合作伙伴', empty: '暂无推荐', error: '推荐暂时无法显示', by: 'G60 科创走廊伙伴匹配' },
    en: { title: 'Recommended partners', empty: 'No recommendations yet', error: 'Recommendations are unavailable', by: 'G60 corridor matchmaking' }
  };

  function style() {
    if (document.getElementById('mm-widget-style')) return;
    var css = document.createElement('style');
    css.id = 'mm-widget-style';
    css.textContent =
      '.mm-widget{font-family:-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;border:1px solid #d9e2ec;border-radius:8px;padding:12px 14px;max-width:420px;color:#1f2933;background:#fff}' +
      '.mm-widget h3{font-size:16px;margin:0 0 8px}' +
      '.mm-widget ol{margin:0;padding-left:20px}' +
      '.mm-widget li{margin:0 0 10px}' +
      '.mm-widget .mm-name{font-weight:600}' +
      '.mm-widget .mm-facts{font-size:12px;color:#52606d}' +
      '.mm-widget .mm-reason{font-size:13px;margin-top:2px}' +
      '.mm-widget .mm-by{font-size:11px;color:#9aa5b1;margin-top:6px}';
    document.head.appendChild(css);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(host) {
    var organization = host.getAttribute('data-organization') || '';
    var key = host.getAttribute('data-key') || '';
    var lang = host.getAttribute('data-lang') === 'en' ? 'en' : 'zh';
    var limit = host.getAttribute('data-limit') || '5';
    var t = texts[lang];
    var box = el('div', 'mm-widget');
    box.setAttribute('lang', lang === 'en' ? 'en' : 'zh-CN');
    box.appendChild(el('h3', null, t.title));
    var status = el('p', 'mm-status', '…');
    box.appendChild(status);
    host.replaceChildren(box);
    host.setAttribute('data-state', 'loading');
    var url = api + '/widget/v1/organizations/' + encodeURIComponent(organization) + '/matches?lang=' + lang + '&limit=' + encodeURIComponent(limit);
    fetch(url, { headers: { 'X-Api-Key': key }, mode: 'cors', credentials: 'omit' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (data) {
        if (data.organizationName) box.firstChild.textContent = t.title + ' · ' + data.organizationName;
        if (!data.items || data.items.length === 0) {
          status.textContent = t.empty;
        } else {
          var list = el('ol');
          data.items.forEach(function (item) {
            var li = el('li');
            li.setAttribute('data-candidate', item.candidateId);
            li.appendChild(el('div', 'mm-name', item.name));
            li.appendChild(el('div', 'mm-facts', [item.kind, item.city].filter(Boolean).join(' · ')));
            (item.reasons || []).forEach(function (reason) { li.appendChild(el('div', 'mm-reason', reason)); });
            list.appendChild(li);
          });
          status.replaceWith(list);
        }
        box.appendChild(el('div', 'mm-by', t.by));
        host.setAttribute('data-state', 'ready');
      })
      .catch(function () {
        status.textContent = t.error;
        host.setAttribute('data-state', 'error');
      });
  }

  style();
  Array.prototype.forEach.call(document.querySelectorAll('[data-matchmaker-widget]'), render);
})();
