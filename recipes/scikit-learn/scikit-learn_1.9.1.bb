SUMMARY = "Machine learning in Python: classification, regression, clustering, model selection"
DESCRIPTION = "scikit-learn: estimators built on numpy and scipy, their inner loops in Cython \
(trees, k-means, k-nearest neighbours, linear models, pairwise distances) parallelised with OpenMP."
HOMEPAGE = "https://scikit-learn.org"
# scikit-learn is BSD-3-Clause; it vendors array-api-compat and array-api-extra (MIT) and the
# liac-arff parser, numpydoc, packaging and scipy helpers (BSD/MIT).
LICENSE = "BSD-3-Clause & MIT"
LIC_FILES_CHKSUM = "file://COPYING;md5=bdb6f7facb161e909d9554c4dba7e3d5 \
                    file://sklearn/externals/array_api_compat/LICENSE;md5=3d4ab4243dc36b64cb5d45edfcff7242 \
                    file://sklearn/externals/array_api_extra/LICENSE;md5=88200d470f94211ec903b46e40b5c09b"

inherit pypi python_mesonpy cython

PYPI_PACKAGE = "scikit_learn"

SRC_URI[sha256sum] = "629cada3e33e2b9bf376cdc7614a47a4140b8aedc1d836579e359736fbd82977"

PROVIDES = "python3-scikit-learn"

# The target numpy: its C headers, through the cross file's numpy-include-dir. Cython reads the
# declarations of `cimport numpy` and `cimport scipy.linalg.cython_blas` from the native numpy and
# scipy of the same releases (.pxd files say the same on every architecture); at run time the
# modules call into the board's scipy. OpenMP is GCC's libgomp.
DEPENDS += "numpy scipy python3-numpy-native python3-scipy-native libgomp"

# Debian bookworm's GCC 12.2 for AArch64 stops with an internal compiler error in its -O3 loop
# vectorizer (vect_transform_reduction) on sklearn/neighbors/_kd_tree.c; with the cost model of
# -O2 it vectorizes what is clearly profitable and compiles.
TARGET_CFLAGS:append:aarch64 = " -fvect-cost-model=very-cheap"

RDEPENDS:${PN} = "numpy scipy joblib threadpoolctl narwhals python3-json python3-pickle python3-threading"

# A random forest (Cython trees, OpenMP), a logistic regression (scipy's L-BFGS-B and the Cython
# loss functions) and k-nearest neighbours (Cython pairwise distances) classify three separable
# blobs, and k-means (Cython + OpenMP) finds them; the last check proves the tree and k-means
# modules are extensions built for the board's CPython.
PYTHON_TEST_CODE = "import sys, sysconfig, numpy as np, sklearn; from sklearn.datasets import make_blobs; from sklearn.ensemble import RandomForestClassifier; from sklearn.cluster import KMeans; from sklearn.linear_model import LogisticRegression; from sklearn.neighbors import KNeighborsClassifier; from sklearn.model_selection import train_test_split; from sklearn.metrics import adjusted_rand_score; \
X, y = make_blobs(n_samples=300, centers=3, n_features=4, cluster_std=0.6, random_state=0); Xa, Xb, ya, yb = train_test_split(X, y, random_state=0); \
scores = {m.__class__.__name__: m.fit(Xa, ya).score(Xb, yb) for m in (RandomForestClassifier(n_estimators=20, random_state=0, n_jobs=2), LogisticRegression(), KNeighborsClassifier(5))}; assert all(s > 0.95 for s in scores.values()), scores; \
km = KMeans(n_clusters=3, n_init=3, random_state=0).fit(X); ari = adjusted_rand_score(y, km.labels_); assert ari == 1.0, (ari, km.inertia_); \
sfx = sysconfig.get_config_var('EXT_SUFFIX'); mods = [sys.modules[n] for n in ('sklearn.tree._tree', 'sklearn.cluster._k_means_lloyd', 'sklearn.utils._cython_blas')]; assert all(m.__file__.endswith(sfx) for m in mods), [m.__file__ for m in mods]; \
print('scikit-learn', sklearn.__version__, {k: round(v, 3) for k, v in scores.items()}, 'kmeans ari', ari, 'inertia', round(km.inertia_, 1), len(mods), 'extensions', sfx)"
