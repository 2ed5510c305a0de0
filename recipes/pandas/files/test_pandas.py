"""do_test of pandas on the board: groupby, rolling windows, time zones and resampling (each a
compiled extension), and every extension module with the target's EXT_SUFFIX."""
import sys
import sysconfig

import numpy as np
import pandas as pd
import pandas._libs.groupby as G
import pandas._libs.lib as L
import pandas._libs.tslibs.conversion as C
import pandas._libs.window.aggregations as W

df = pd.DataFrame({"k": ["a", "b", "a", "b", "a"], "v": [1.0, 2.0, 3.0, 4.0, 5.0]})
g = df.groupby("k")["v"].agg(["sum", "mean", "count"])
assert g.loc["a"].tolist() == [9.0, 3.0, 3.0] and g.loc["b"].tolist() == [6.0, 3.0, 2.0], g
r = df["v"].rolling(2).mean()
assert np.isnan(r.iloc[0]) and r.iloc[1:].tolist() == [1.5, 2.5, 3.5, 4.5], r
idx = pd.date_range("2026-03-28", periods=3, freq="D", tz="Europe/Paris")
s = pd.Series([1, 2, 3], index=idx)
u = s.tz_convert("UTC").index
assert [t.hour for t in u] == [23, 23, 22], u
assert s.resample("2D").sum().tolist() == [3, 3]
mods = [L, G, W, C]
sfx = sysconfig.get_config_var("EXT_SUFFIX")
assert all(m.__file__.endswith(sfx) for m in mods), [m.__file__ for m in mods]
assert all(m.__name__ in sys.modules for m in mods)
print("pandas", pd.__version__, "numpy", np.__version__, "groupby", g["sum"].tolist(), "rolling", r.iloc[-1],
      "utc hours", [t.hour for t in u], len(mods), "extensions", sfx)
