// The charts, drawn as inline SVG: the stacked columns of flags per
// category over time, barChart(), the one horizontal bar chart (rows of
// labelled, possibly stacked bars with a note after each) that draws both
// the review outcomes per category and the top terms, and sparkline(), a
// row of small columns (a campaign's new posts per hour).
import {svg} from './dom.js';
import {categoryLabel, locale, t} from './i18n.js';

// Flags per category (stacked, in the order of `categories`) in each of
// the time series' `buckets`, labelled for `granularity`.
export function timeChart(buckets, granularity, categories) {
  const width = 760, height = 220, left = 40, bottom = 24, top = 8;
  const sums = buckets.map(
      (b) => categories.reduce(
          (n, c) => n + Number(b.counts?.flags_by_category?.[c] || 0), 0));
  const max = Math.max(1, ...sums);
  const plotH = height - bottom - top;
  const barW = buckets.length ? (width - left) / buckets.length : 0;
  const chart = chartSvg('time-chart', width, height);
  chart.append(
      svg('line', {
        x1: left,
        y1: top + plotH,
        x2: width,
        y2: top + plotH,
        class: 'axis'
      }),
      svg('text',
          {x: left - 4, y: top + 10, class: 'tick', 'text-anchor': 'end'},
          String(max)),
      svg('text',
          {x: left - 4, y: top + plotH, class: 'tick', 'text-anchor': 'end'},
          '0'));
  const fmt = (iso) => {
    const d = new Date(iso);
    return granularity === 'GRANULARITY_DAY' ?
        d.toLocaleDateString(locale(), {day: '2-digit', month: '2-digit'}) :
        d.toLocaleTimeString(locale(), {hour: '2-digit', minute: '2-digit'});
  };
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 8));
  buckets.forEach((b, i) => {
    let y = top + plotH;
    const x = left + i * barW;
    for (const c of categories) {
      const n = Number(b.counts?.flags_by_category?.[c] || 0);
      if (!n) continue;
      const hgt = (n / max) * plotH;
      y -= hgt;
      chart.append(
          svg('rect', {
            x: x + 1,
            y,
            width: Math.max(1, barW - 2),
            height: hgt,
            class: `cat-fill-${c}`,
            'data-category': c,
            'data-count': n
          },
              svg('title', {}, `${fmt(b.start)} · ${categoryLabel(c)}: ${n}`)));
    }
    if (i % labelEvery === 0)
      chart.append(
          svg('text', {
            x: x + barW / 2,
            y: height - 6,
            class: 'tick',
            'text-anchor': 'middle'
          },
              fmt(b.start)));
  });
  if (sums.every((s) => s === 0))
    chart.append(svg(
        'text',
        {x: width / 2, y: height / 2, class: 'tick', 'text-anchor': 'middle'},
        t('noData')));
  return chart;
}

// Small columns, one per value of `values` (oldest first), scaled to the
// largest; a column of zero is a thin line so the time axis shows.
// `title` is its tooltip.
export function sparkline(values, title) {
  const width = 96, height = 20;
  const numbers = values.map(Number);
  const max = Math.max(1, ...numbers);
  const step = numbers.length ? width / numbers.length : 0;
  const chart = chartSvg(null, width, height);
  chart.classList.add('sparkline');
  chart.append(svg('title', {}, title));
  numbers.forEach((n, i) => {
    const hgt = n ? Math.max(2, (n / max) * height) : 1;
    chart.append(svg('rect', {
      x: i * step,
      y: height - hgt,
      width: Math.max(1, step - 1),
      height: hgt,
      class: n ? 'spark' : 'spark zero',
      'data-count': n
    }));
  });
  return chart;
}

// An <svg> of `width` × `height` user units, drawn at that size at most.
function chartSvg(id, width, height) {
  return svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    class: 'svg-chart',
    id,
    role: 'img'
  });
}

// A horizontal bar chart with one row per entry of `rows`:
//   {label, title?, segments: [{value, class, title}], note}
// The label (its tooltip `title`, when set) stands left of the bar, the
// bar's segments are stacked left to right (zero values are left out) and
// scaled so the longest bar fills the chart, and `note` follows the bar.
// `labelWidth` and `noteWidth` are the room for label and note.
export function barChart(
    id, rows, {labelWidth, noteWidth, rowHeight, width = 380}) {
  const total = (row) => row.segments.reduce((n, s) => n + s.value, 0);
  const max = Math.max(...rows.map(total));
  const barHeight = rowHeight - 6;
  const chart = chartSvg(id, width, rows.length * rowHeight + 4);
  rows.forEach((row, i) => {
    const y = i * rowHeight + 2;
    const baseline = y + barHeight - 2;
    chart.append(svg(
        'text',
        {x: labelWidth - 6, y: baseline, class: 'tick', 'text-anchor': 'end'},
        row.label, row.title ? svg('title', {}, row.title) : null));
    let x = labelWidth;
    for (const segment of row.segments) {
      if (!segment.value) continue;
      const w = (segment.value / max) * (width - labelWidth - noteWidth);
      chart.append(
          svg('rect', {x, y, width: w, height: barHeight, class: segment.class},
              svg('title', {}, segment.title)));
      x += w;
    }
    chart.append(svg('text', {x: x + 4, y: baseline, class: 'tick'}, row.note));
  });
  return chart;
}
