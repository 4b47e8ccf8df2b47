"""
A black-box attack with function values only.
==============================================

A small network trained on scikit-learn's digits is attacked through its output probabilities alone: the
targeted Carlini-Wagner margin plus ``c ||delta||^2`` on the pixel box, a batched black box
(:func:`pyoptheory.zeroth.classifier_attack`).  Gradient descent on the coordinate-wise estimate (65 queries a
step) and on the randomized estimate with 6 and 64 directions, at an equal query budget; the attack succeeds
once the margin, the loss without the penalty, is negative.
"""
import matplotlib.pyplot as plt
import numpy as np

import pyoptheory as po
from pyoptheory.zeroth import classifier_attack

problem = classifier_attack(image=0)
print(f"test accuracy {problem.test_accuracy:.3f}; attacking a {problem.label} towards {problem.target}")
budget = 20000
runs = {"CGE": po.solve(problem, "zo_gd", step=0.1, smoothing=1e-3, steps=budget // 65, seed=0),
        "RGE q = 6": po.solve(problem, "zo_rge", q=6, step=0.02, smoothing=1e-3, steps=budget // 7, seed=0),
        "RGE q = 64": po.solve(problem, "zo_rge", q=64, step=0.05, smoothing=1e-3, steps=budget // 65, seed=0)}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
for name, res in runs.items():
    axes[0].plot(res.trace["fevals"], res.trace["fun"], label=name)
    print(f"{name:11s} loss {res.fun:.4f}  predicted {problem.predict(res.x)}  ||delta|| = "
          f"{np.linalg.norm(res.x):.3f}")
axes[0].axhline(0.0, color="gray", lw=0.8)
axes[0].set_xlabel("function queries")
axes[0].set_ylabel("attack loss")
axes[0].legend(fontsize=8)
axes[1].imshow(np.hstack([problem.image.reshape(8, 8), (problem.image + runs["CGE"].x).reshape(8, 8)]),
               cmap="gray_r", vmin=0, vmax=1)
axes[1].set_title(f"clean ({problem.label}) and attacked ({problem.predict(runs['CGE'].x)})")
axes[1].axis("off")
fig.tight_layout()
