/** Copy to the clipboard; where the Clipboard API is refused (http origins, some webviews), select the text instead. */
export async function copyText(text: string, fallbackTarget: HTMLElement): Promise<'copied' | 'selected'> {
  try {
    if (!navigator.clipboard) throw new Error('no clipboard API');
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    const selection = window.getSelection();
    const range = document.createRange();
    range.selectNodeContents(fallbackTarget);
    selection?.removeAllRanges();
    selection?.addRange(range);
    fallbackTarget.focus();
    return 'selected';
  }
}
