from ippo.phishing.urls_manage import org_patterns as manage_patterns
from ippo.phishing.urls_results import org_patterns as results_patterns

# Mounted under /o/<org_slug>/ in the "org" namespace (see ippo/urls.py). Two modules, built separately:
# sending profiles, the drill wizard and drill pages (urls_manage), and results across drills (urls_results).
org_patterns = [*manage_patterns, *results_patterns]
