/**
 * Entry of the UI bundle (dist/webview/main.js + main.css), the same in a VS Code webview and in a browser.
 * Tabs are listed here: a new view (performance, drift, export) is one more module in `TABS`.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';
import './styles.css';
import { startApp } from './app/app';
import { createServerClient } from './app/client';
import { readUiConfig } from './app/config';
import { createDriftTab } from './app/drift/drift-tab';
import { createExplainTab } from './app/explain/explain-tab';
import { createExportTab } from './app/export/export-tab';
import { createPredictTab } from './app/predict/predict-tab';
import { createPerfTab } from './app/perf/perf-tab';
import { createStateStore } from './app/state';
import { applyFallbackTheme } from './app/theme';
import { labMessage, ReadyCommand } from './lab-panel-messages';

// Before anything renders and before `load`: the toolkit reads the theme variables from <body> then.
applyFallbackTheme();
provideVSCodeDesignSystem().register(
  vsCodeButton(),
  vsCodeCheckbox(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodePanels(),
  vsCodePanelTab(),
  vsCodePanelView(),
  vsCodeTextField(),
);

const config = readUiConfig();
const client = createServerClient(config);
const store = createStateStore();
// The lab tabs run jobs on the server: only the owner's page has them (share links and pages opened
// without the owner token would get 401/403 from every call).
const labTabs =
  config.labTabs === false ? [] : [createPerfTab(client), createDriftTab(client), createExportTab(client), createExplainTab(client, store)];
const TABS = [createPredictTab(client, store), ...labTabs];

startApp(document.getElementById('app') ?? document.body, client, TABS);
// Inside VS Code: the host queues messages (show a tab, start a drift check) until the UI listens.
store.notifyHost(labMessage(ReadyCommand, {}));
