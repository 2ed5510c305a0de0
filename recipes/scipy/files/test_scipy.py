"""do_test of scipy on the board: LAPACK, splines, sparse solvers, special functions,
optimisation, FFT and statistics, and the compiled modules with the target's EXT_SUFFIX."""
import sys
import sysconfig

import numpy as np
import scipy
import scipy.fft as fft
import scipy.interpolate as ip
import scipy.linalg as la
import scipy.optimize as opt
import scipy.sparse as sp
import scipy.sparse.linalg as spla
import scipy.special as sc
import scipy.stats as st

rng = np.random.default_rng(7)
a = rng.random((200, 200)) + 200 * np.eye(200)
x = la.solve(a, a.sum(1))
assert np.allclose(x, 1), x[:3]
w = la.eigvalsh(np.diag([3.0, 1.0, 2.0]))
assert np.allclose(w, [1, 2, 3]), w
t = np.linspace(0, 2 * np.pi, 50)
tck = ip.splrep(t, np.sin(t))
v = float(ip.splev(1.0, tck))
assert abs(v - np.sin(1.0)) < 1e-4, v
m = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(100, 100), format="csc")
u = spla.spsolve(m, np.ones(100))
assert np.allclose(m @ u, 1), u[:3]
assert abs(sc.gamma(5.0) - 24.0) < 1e-12 and abs(sc.erf(0.5) - 0.5204998778130465) < 1e-12
r = opt.minimize(opt.rosen, [1.3, 0.7, 0.8], method="BFGS")
assert np.allclose(r.x, 1, atol=1e-4), r.x
assert np.allclose(fft.irfft(fft.rfft(t), 50), t)
assert abs(st.norm.cdf(1.96) - 0.9750021048517795) < 1e-12
sfx = sysconfig.get_config_var("EXT_SUFFIX")
names = ("scipy.linalg._flapack", "scipy.interpolate._dfitpack", "scipy.sparse.linalg._dsolve._superlu")
mods = [sys.modules[n] for n in names]
assert all(m.__file__.endswith(sfx) for m in mods), [m.__file__ for m in mods]
print("scipy", scipy.__version__, "solve", x[:2], "splev", round(v, 6), "gamma", sc.gamma(5.0), "rosen", np.round(r.x, 4),
      len(mods), "extensions", sfx)
