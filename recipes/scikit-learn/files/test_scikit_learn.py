"""do_test of scikit-learn on the board: three classifiers and k-means on separable blobs, and
the compiled modules with the target's EXT_SUFFIX."""
import sys
import sysconfig

import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

X, y = make_blobs(n_samples=300, centers=3, n_features=4, cluster_std=0.6, random_state=0)
Xa, Xb, ya, yb = train_test_split(X, y, random_state=0)
models = (RandomForestClassifier(n_estimators=20, random_state=0, n_jobs=2), LogisticRegression(), KNeighborsClassifier(5))
scores = {m.__class__.__name__: m.fit(Xa, ya).score(Xb, yb) for m in models}
assert all(s > 0.95 for s in scores.values()), scores
km = KMeans(n_clusters=3, n_init=3, random_state=0).fit(X)
ari = adjusted_rand_score(y, km.labels_)
assert ari == 1.0, (ari, km.inertia_)
sfx = sysconfig.get_config_var("EXT_SUFFIX")
mods = [sys.modules[n] for n in ("sklearn.tree._tree", "sklearn.cluster._k_means_lloyd", "sklearn.utils._cython_blas")]
assert all(m.__file__.endswith(sfx) for m in mods), [m.__file__ for m in mods]
print("scikit-learn", sklearn.__version__, {k: round(v, 3) for k, v in scores.items()}, "kmeans ari", ari,
      "inertia", round(km.inertia_, 1), len(mods), "extensions", sfx)
