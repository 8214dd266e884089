import { useEffect } from 'react';
import { api } from './api';
import { RecentWorkspaces } from './components/RecentWorkspaces';
import { ContextEditor } from './screens/ContextEditor';
import { CropReview } from './screens/CropReview';
import { DatasetBrowser, OpenDatasetForm, OpenWorkspaceForm } from './screens/DatasetBrowser';
import { Pipeline } from './screens/Pipeline';
import { Search } from './screens/Search';
import { useApp, type Screen } from './store';

const SCREENS: { id: Screen; title: string }[] = [
  { id: 'dataset', title: 'Dataset' },
  { id: 'crops', title: 'Crop review' },
  { id: 'contexts', title: 'Contexts' },
  { id: 'search', title: 'Search' },
  { id: 'pipeline', title: 'Pipeline' },
];

export function App() {
  const { screen, setScreen, dataset, pipeline, setPipeline, openDataset, loadCurrent, loadDomain } = useApp();

  useEffect(() => {
    const off = api.onPipeline(setPipeline);
    api.pipelineStatus({}).then(setPipeline, () => undefined);
    // The service may already have something open (the bridge's --workspace, or an earlier page load).
    void loadCurrent();
    void loadDomain();
    const offMenu = api.onMenu((action) => {
      if (action.kind === 'openDataset') void openDataset(action.path);
      if (action.kind === 'runPhase') api.runPhase({ phase: action.phase }).then(setPipeline, () => setScreen('pipeline'));
      if (action.kind === 'cancel') void api.cancel({});
      if (action.kind === 'showScreen') setScreen(action.screen);
      if (action.kind === 'runPhase' || action.kind === 'cancel') setScreen('pipeline');
    });
    return () => {
      off();
      offMenu();
    };
  }, [setPipeline, openDataset, setScreen, loadCurrent, loadDomain]);

  const running = pipeline?.phases.find((p) => p.status === 'running');
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Screens">
        <h1 className="brand">CarLens</h1>
        {SCREENS.map((s) => (
          <button key={s.id} type="button" className={screen === s.id ? 'nav on' : 'nav'} aria-current={screen === s.id ? 'page' : undefined} onClick={() => setScreen(s.id)}>
            {s.title}
          </button>
        ))}
        <div className="sidebar-foot">
          {running && <p className="running-note">Running {running.phase} {running.done}/{running.total}</p>}
          {dataset && <details><summary>Open another</summary><RecentWorkspaces /><OpenDatasetForm /><OpenWorkspaceForm /></details>}
        </div>
      </nav>
      <main>
        {screen === 'dataset' && <DatasetBrowser />}
        {screen === 'crops' && <CropReview />}
        {screen === 'contexts' && <ContextEditor />}
        {screen === 'search' && <Search />}
        {screen === 'pipeline' && <Pipeline />}
      </main>
    </div>
  );
}
