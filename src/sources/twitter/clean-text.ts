/**
 * Text of a tweet as the classifier should see it: no URLs, no @mentions, no `#` signs (the word
 * stays), HTML entities X escapes (`&amp; &lt; &gt;`) decoded, whitespace collapsed. The raw text
 * is kept in the message's meta and the link to the tweet in its `link`.
 *
 * @example cleanTweetText('@mailru почта не работает https://t.co/x #fail') // 'почта не работает fail'
 */
export function cleanTweetText(text: string): string {
  return text
    .replace(/\bhttps?:\/\/\S+/gi, ' ')
    .replace(/(^|[^\p{L}\p{N}_])@[A-Za-z0-9_]{1,15}\b/gu, '$1 ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/(^|[^\p{L}\p{N}_&])[#＃](?=[\p{L}\p{N}_])/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}
