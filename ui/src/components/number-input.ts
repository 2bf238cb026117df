import { whole } from '../data/day-limits';

/**
 * The handler for a number field's `input` and `change` events: the value goes into the draft as the parent
 * types (so Save is ready at once), and a field left empty counts as `min` only once the parent leaves it.
 */
export function numberHandler(max: number, set: (value: number) => void, min = 0) {
  return (event: Event): void => {
    const text = (event.target as HTMLInputElement).value;
    if (event.type === 'input' && text.trim() === '') return;
    set(whole(text, max, min));
  };
}
