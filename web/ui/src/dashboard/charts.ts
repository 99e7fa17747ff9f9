// ECharts, only the parts the dashboard draws with (a map, bars, lines; tooltip, legend, axes,
// visual map) on canvas, so the bundle stays small. Charts follow their container's size.
import { BarChart, LineChart, MapChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([MapChart, BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export { echarts };
export type Chart = echarts.EChartsType;

export const colours = { received: '#1f4fb8', closed: '#1f7a3a', rate: '#b8232f', aged: '#c77700', none: '#d5d7db' };

// chartIn starts a chart in el and resizes it with el (the window, a phone turned, print). The
// chart is kept on the element (el.chart), for tests and the browser's console.
export function chartIn(el: HTMLElement): Chart {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  new ResizeObserver(() => chart.resize()).observe(el);
  (el as HTMLElement & { chart?: Chart }).chart = chart;
  return chart;
}

// tip is a tooltip's content as elements, never as HTML: unit and category names are the
// server's text.
export function tip(title: string, lines: [string, string][]): HTMLElement {
  const el = document.createElement('div');
  el.className = 'tip';
  const head = document.createElement('strong');
  head.textContent = title;
  el.append(head);
  for (const [k, v] of lines) {
    const row = document.createElement('div');
    row.textContent = k + ': ' + v;
    el.append(row);
  }
  return el;
}
