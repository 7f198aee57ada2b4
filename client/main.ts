import './lib/no-eval.js';
// KaTeX's stylesheet document-wide: its @font-face rules only work here, not in shadow roots.
import 'katex/dist/katex.min.css';
import './styles.css';
import './components/bp-app.js';
