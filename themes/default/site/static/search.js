// Search on /sok/ over /search-index.json (version 2), entirely in the browser: nothing is sent
// anywhere, and once the index has loaded, searching works offline. Progressive enhancement: the page works
// without this script (it points to the monthly index), so it only shows the form it finds.
//
// Words are normalised as budkavle does when it writes the index (src/site/search.rs): Unicode
// NFC, lower case, split at every character that is neither alphabetic nor numeric; diacritics
// are kept. A post matches when every query word is the start of one of its words ("snö" finds
// "Snöröjning"). Results are built with textContent only: no title can become markup.
(function () {
  'use strict';

  var form = document.getElementById('search');
  var input = document.getElementById('q');
  var status = document.getElementById('status');
  var results = document.getElementById('results');
  if (!form || !input || !status || !results || !window.fetch) return;

  var text = form.dataset;
  var SEPARATOR = /[^\p{Alphabetic}\p{N}]+/u;
  var SHOWN = 100; // results listed at once; the status tells how many there are in all
  var DELAY = 150; // ms after the last key press before searching

  var posts = null; // the loaded index
  var loading = null; // the pending fetch, shared by every search that waits for it
  var timer = 0;

  function words(s) {
    return s.normalize('NFC').toLowerCase().split(SEPARATOR).filter(Boolean);
  }

  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (slot, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : slot;
    });
  }

  // The index's address: the page gives it relative to itself (budkavle writes every link
  // relative, so the archive works under any path); each post's `url` is relative to the index.
  var indexUrl = new URL(text.index || '../search-index.json', window.location.href);

  function load() {
    if (!loading) {
      loading = fetch(indexUrl.href, { credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (index) {
          posts = (index.posts || []).map(function (p) {
            p.words = ' ' + (p.text || '');
            return p;
          });
          return posts;
        });
      // A failed load may be retried by the next search (the connection may be back).
      loading.catch(function () {
        loading = null;
      });
    }
    return loading;
  }

  function find(query) {
    return posts.filter(function (p) {
      return query.every(function (w) {
        return p.words.indexOf(' ' + w) !== -1;
      });
    });
  }

  function item(post) {
    var li = document.createElement('li');
    if (post.lang) li.lang = post.lang;
    var a = document.createElement('a');
    a.href = new URL(post.url, indexUrl).href;
    a.textContent = post.title;
    li.appendChild(a);
    if (post.date_human) {
      li.appendChild(document.createTextNode(' '));
      var time = document.createElement('time');
      if (post.date) time.dateTime = post.date;
      time.textContent = post.date_human;
      li.appendChild(time);
    }
    if (post.retracted && text.retracted) {
      li.appendChild(document.createTextNode(' '));
      var mark = document.createElement('span');
      mark.className = 'search-retracted';
      mark.textContent = text.retracted;
      li.appendChild(mark);
    }
    return li;
  }

  function show(hits) {
    var list = document.createDocumentFragment();
    hits.slice(0, SHOWN).forEach(function (p) {
      list.appendChild(item(p));
    });
    results.replaceChildren(list);
    var n = hits.length;
    var message = n === 0 ? text.none : fill(n === 1 ? text.one : text.many, { n: n });
    if (n > SHOWN) message += ' ' + fill(text.more, { shown: SHOWN, n: n });
    status.textContent = message;
  }

  function remember(value) {
    // The address keeps the query, so a result list can be bookmarked and Back returns to it.
    try {
      var url = new URL(window.location.href);
      if (value) url.searchParams.set('q', value);
      else url.searchParams.delete('q');
      window.history.replaceState(null, '', url);
    } catch (e) {
      // Some contexts (a file opened from disk) refuse; searching works without it.
    }
  }

  function search() {
    window.clearTimeout(timer);
    var value = input.value;
    var query = words(value);
    remember(value.trim());
    if (query.length === 0) {
      results.replaceChildren();
      status.textContent = '';
      return;
    }
    if (posts) {
      show(find(query));
      return;
    }
    status.textContent = text.loading || '';
    load().then(
      function () {
        if (input.value === value) show(find(query));
      },
      function () {
        if (input.value === value) status.textContent = text.failed || '';
      }
    );
  }

  input.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, DELAY);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    search();
  });

  form.hidden = false;
  var nojs = document.getElementById('search-nojs');
  if (nojs) nojs.hidden = true;

  var initial = new URLSearchParams(window.location.search).get('q');
  if (initial) {
    input.value = initial;
    search();
  } else {
    // Load at once, so searching is instant and still works if the connection drops.
    load().catch(function () {});
  }
})();
