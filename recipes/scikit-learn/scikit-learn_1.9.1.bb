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
SRC_URI += "file://test_scikit_learn.py"
PYTHON_TEST_SCRIPT = "${UNPACKDIR}/test_scikit_learn.py"
