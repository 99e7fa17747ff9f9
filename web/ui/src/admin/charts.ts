// ECharts, only what the admin maps draw with: polygons (the map series) on canvas, tooltips.
import { MapChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([MapChart, TooltipComponent, CanvasRenderer]);

export { echarts };
export type Chart = echarts.EChartsType;
