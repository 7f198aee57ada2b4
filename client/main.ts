import './lib/no-eval.js';
// KaTeX's stylesheet (its @font-face rules work only document-wide) loads with KaTeX: client/lib/lazy-katex.ts.
import './styles.css';
import './components/bp-app.js';
