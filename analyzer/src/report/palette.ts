// Colours shared by the SVG charts and the HTML page. Category colours follow the breadcrumb symbols
// (🔴 reds, 🟠 orange, 🟡 amber, 🔥 fire, 📣 blue) with small shade steps so the reds stay tellable apart.
import type { Category, Level } from '../core/types.ts';

export const CATEGORY_COLOR: Readonly<Record<Category, string>> = {
  trigger: '#d62c35',
  abnormal_input: '#e5484d',
  control_failure: '#b3202b',
  data_anomaly: '#f06a6f',
  risk_bypass: '#f27a1a',
  stress: '#e8b10c',
  risk_acceleration: '#d49a00',
  final_failure: '#ff4d00',
  alerting: '#3d7be0',
};

/** Stacking order bottom → top: the severe levels sit on the axis where they are easiest to see. */
export const LEVEL_STACK: readonly Level[] = [
  'FATAL',
  'CRITICAL',
  'ERROR',
  'WARN',
  'INFO',
  'DEBUG',
  'TRACE',
  'UNKNOWN',
];

export const LEVEL_COLOR: Readonly<Record<Level, string>> = {
  FATAL: '#6b1a56',
  CRITICAL: '#a3142d',
  ERROR: '#e5484d',
  WARN: '#f2a93b',
  INFO: '#5b8def',
  DEBUG: '#8fa3bf',
  TRACE: '#b8c2cf',
  UNKNOWN: '#d3d7dc',
};

export const CRITICAL_BAR_COLOR = '#e5484d';
export const FAILURE_MARKER_COLOR = '#ff4d00';
