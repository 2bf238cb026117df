/**
 * Copies text the page shows. The clipboard API exists only on https or localhost; a phone on the home network
 * gets the older way: the element showing the text is selected and copied, or left selected when even that is
 * refused, for the parent to copy by hand.
 */
export async function copyText(
  text: string,
  shown: Element | null | undefined,
): Promise<'copied' | 'selected'> {
  try {
    if (!navigator.clipboard) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    const selection = getSelection();
    if (shown && selection) selection.selectAllChildren(shown);
    return document.execCommand('copy') ? 'copied' : 'selected';
  }
}
