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

  it('placeholders are the paths, fallbacks aside (the loader checks each path)', () => {
    expect(placeholders('{{trail.name}} {{logGroup.name|x y}}')).toEqual(['trail.name', 'logGroup.name']);
  });
});
