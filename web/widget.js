// campusbot's embeddable widget: one tag on any page,
//   <script src="https://<campusbot web>/widget.js" data-title="Ask campusbot" data-accent="#0b7a3e" defer></script>
// adds a launcher button that opens the chat (index.html?embed=1) in a frame served by campusbot itself: the
// page and its API calls stay on campusbot's origin (CloudFront's frame-ancestors lists the allowed hosts).
(() => {
  const script = document.currentScript;
  if (!script || window.campusbotWidget) return;
  const base = new URL('.', script.src);
  const data = script.dataset;
  const colour = (value, fallback) => (/^#[0-9a-fA-F]{3,8}$/.test(value || '') ? value : fallback);
  const accent = colour(data.accent, '#1d4ed8');
  const accentText = colour(data.accentText, '#ffffff');
  const title = (data.title || 'campusbot').slice(0, 60);
  const src = new URL('index.html', base);
  src.searchParams.set('embed', '1');
  src.searchParams.set('title', title);
  src.searchParams.set('accent', accent);
  src.searchParams.set('accentText', accentText);

  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = data.label || `Chat with ${title}`;
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', 'campusbot-widget-frame');
  Object.assign(button.style, {
    position: 'fixed', right: '1rem', bottom: '1rem', zIndex: '2147483000', padding: '.7rem 1.1rem',
    borderRadius: '999px', border: '0', background: accent, color: accentText, font: '600 1rem system-ui, sans-serif',
    boxShadow: '0 4px 14px rgba(0,0,0,.25)', cursor: 'pointer',
  });
  let frame = null;
  const open = (show) => {
    if (show && !frame) {
      frame = document.createElement('iframe');
      frame.id = 'campusbot-widget-frame';
      frame.title = title;
      frame.src = src.href;
      Object.assign(frame.style, {
        position: 'fixed', right: '1rem', bottom: '4.5rem', width: 'min(400px, calc(100vw - 2rem))',
        height: 'min(600px, calc(100vh - 6rem))', border: '1px solid rgba(0,0,0,.15)', borderRadius: '12px',
        zIndex: '2147483000', boxShadow: '0 8px 28px rgba(0,0,0,.3)', background: '#fff',
      });
      document.body.append(frame);
    }
    if (frame) frame.hidden = !show;
    button.setAttribute('aria-expanded', String(show));
    if (show) frame.focus();
  };
  button.addEventListener('click', () => open(button.getAttribute('aria-expanded') !== 'true'));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') {
      open(false);
      button.focus();
    }
  });
  window.addEventListener('message', (event) => { // Escape inside the chat's frame
    if (frame && event.source === frame.contentWindow && event.data && event.data.campusbot === 'close') {
      open(false);
      button.focus();
    }
  });
  document.body.append(button);
  window.campusbotWidget = { open: () => open(true), close: () => open(false) };
})();
