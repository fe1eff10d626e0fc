import { describe, expect, it } from 'vitest';
import { placeholders, render } from './template.js';

describe('templates', () => {
  const vars = { trail: { name: 'org-trail', status: { latestDeliveryTime: null } }, tags: ['a', 'b'] };

  it('renders real names, lists joined', () => {
    expect(render('Trail {{trail.name}} ({{ tags }})', vars)).toBe('Trail org-trail (a, b)');
  });

  it('a fallback fills in a value that is not there; without one the path shows in angle brackets', () => {
    expect(render('last {{trail.status.latestDeliveryTime|never}}', vars)).toBe('last never');
    expect(render('last {{trail.status.latestDeliveryTime}}', vars)).toBe('last <trail.status.latestDeliveryTime>');
    expect(render('group {{logGroup.name|<cloudtrail-log-group>}}', vars)).toBe('group <cloudtrail-log-group>');
    expect(render('name {{trail.name|unused}}', vars)).toBe('name org-trail');
  });

  it('renders a template the same every time, placeholders adjacent, at the ends, or none', () => {
    const more = { ...vars, n: 0, flag: false, obj: { a: [1] }, 'x-y': 'no' };
    for (const t of ['{{trail.name}}{{tags}}', '{{n}}', 'plain text', '{{flag}} {{obj}} {{trail.name.deeper}} {{n.x|zero}}', '{{ trail.name }}-{{trail.name}}', '$& $1 {{trail.name}} $$']) {
      const once = render(t, more);
      expect(render(t, more)).toBe(once);
    }
    expect(render('{{trail.name}}{{tags}}', vars)).toBe('org-traila, b');
    expect(render('{{flag}} {{obj}} {{trail.name.deeper}} {{n.x|zero}}', { flag: false, obj: { a: [1] }, n: 0, trail: vars.trail })).toBe('false {"a":[1]} <trail.name.deeper> zero');
    expect(render('$& $1 {{trail.name}} $$', vars)).toBe('$& $1 org-trail $$');
  });

  it('placeholders are the paths, fallbacks aside (the loader checks each path)', () => {
    expect(placeholders('{{trail.name}} {{logGroup.name|x y}}')).toEqual(['trail.name', 'logGroup.name']);
  });
});
