// budkavle serve: reloads this page when it is rebuilt. `serve` adds this script to the pages it
// serves; built files never contain it. The server names changed pages by path ("*" for all);
// the generation in this script's address says which build the page came from, so a page that
// missed an event while loading still catches up.
(() => {
  const script = document.currentScript;
  const loaded = Number(new URL(script ? script.src : location.href).searchParams.get('g') || 0);
  const normal = (p) => (p.endsWith('/') ? p + 'index.html' : p);
  const here = normal(decodeURI(location.pathname));
  const events = new EventSource('/__budkavle/events');
  events.addEventListener('hello', (e) => {
    if (Number(e.data) !== loaded) location.reload();
  });
  events.addEventListener('change', (e) => {
    const { paths } = JSON.parse(e.data);
    if (paths.includes('*') || paths.map(normal).includes(here)) location.reload();
  });
})();
