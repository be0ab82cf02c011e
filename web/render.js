// Safe rendering of the assistant's text: paragraphs, numbered and bulleted lists, line breaks and http(s)
// links, all built as DOM nodes with textContent. Answer text is never parsed as HTML.

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+[^\s<>"'`.,;:!?)\]]/g;
const NUMBERED = /^\s*(\d{1,3})[.)]\s+(.*)$/;
const BULLET = /^\s*[-*•]\s+(.*)$/;

/** A link element for an http(s) URL, else null (javascript:, data: and the rest are text). */
export function safeLink(href, label) {
  let url;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const a = document.createElement('a');
  a.href = url.href;
  a.textContent = label ?? href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer nofollow';
  return a;
}

/** Text with its URLs as links. */
export function inline(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    fragment.append(document.createTextNode(text.slice(last, match.index)));
    fragment.append(safeLink(match[0]) ?? document.createTextNode(match[0]));
    last = match.index + match[0].length;
  }
  fragment.append(document.createTextNode(text.slice(last)));
  return fragment;
}

/** One message's text as paragraphs and lists. */
export function renderText(text) {
  const fragment = document.createDocumentFragment();
  let list = null;
  let paragraph = null;
  const close = () => { list = null; paragraph = null; };
  for (const line of String(text).split(/\r?\n/)) {
    const numbered = line.match(NUMBERED);
    const bullet = numbered ? null : line.match(BULLET);
    if (numbered || bullet) {
      const kind = numbered ? 'OL' : 'UL';
      if (!list || list.nodeName !== kind) {
        list = document.createElement(kind.toLowerCase());
        if (numbered && numbered[1] !== '1') list.start = Number(numbered[1]);
        fragment.append(list);
        paragraph = null;
      }
      const item = document.createElement('li');
      item.append(inline(numbered ? numbered[2] : bullet[1]));
      list.append(item);
    } else if (!line.trim()) {
      close();
    } else {
      list = null;
      if (paragraph) paragraph.append(document.createElement('br'));
      else {
        paragraph = document.createElement('p');
        fragment.append(paragraph);
      }
      paragraph.append(inline(line));
    }
  }
  return fragment;
}
