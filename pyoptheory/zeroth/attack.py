r"""A realistic black box: a targeted perturbation attack on a small trained classifier (the setting of the
black-box attack experiments of the zeroth-order literature: Chen et al., ZOO 2017; Lin, Zheng & Jordan 2022;
catalogue first-order.md 5.3, headline figure (2)).

The classifier is a one-hidden-layer network trained on scikit-learn's 8 x 8 digits (pixels scaled to
``[0, 1]``); the attacker sees only its output probabilities.  For an image ``x`` of class ``y`` and a target
class ``t != y``, the loss of a perturbation ``delta`` is the Carlini-Wagner margin on log-probabilities

``f(delta) = max(max_{j != t} log p_j(x + delta) - log p_t(x + delta), -kappa) + c ||delta||^2``

on the box ``0 <= x + delta <= 1``: the first term is below zero exactly when ``t`` has the largest
probability (the attack succeeded), ``kappa >= 0`` asks for that much confidence, and ``c`` trades the
margin against the size of the perturbation.  ``f`` is Lipschitz and nonsmooth (the max), so only function
values are used.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_int, as_scalar
from ..problems.user import BlackBox


def _train(hidden, seed):
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    net = MLPClassifier(hidden_layer_sizes=(hidden,), solver="lbfgs", alpha=1e-3, max_iter=500, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X[:1500], y[:1500])
    return net, X, y


class ClassifierAttack(BlackBox):
    """The targeted attack loss of one digit image as a batched black box (see the module docstring).

    Attributes: ``image`` (the clean pixels), ``label``, ``target``, ``classifier`` (the trained network,
    scikit-learn), ``test_accuracy`` (on the 297 held-out digits); :meth:`predict` gives the class of
    ``image + delta``.
    """

    def __init__(self, *, image=0, target=None, c=0.05, kappa=0.0, hidden=16, seed=0):
        hidden = as_int(hidden, "hidden", minimum=1)
        self.c = as_scalar(c, "c", nonnegative=True)
        self.kappa = as_scalar(kappa, "kappa", nonnegative=True)
        net, X, y = _train(hidden, as_int(seed, "seed", minimum=0))
        test = np.arange(1500, X.shape[0])
        index = as_int(image, "image", minimum=0)
        if index >= test.size:
            raise ValueError(f"image: the held-out set has {test.size} images, got index {index}")
        self.classifier, self.test_accuracy = net, float(net.score(X[test], y[test]))
        self.image = X[test[index]].copy()
        self.label = int(net.predict(self.image[None, :])[0])
        if target is None:  # the runner-up class of the clean image
            target = int(np.argsort(net.predict_proba(self.image[None, :])[0])[-2])
        self.target = as_int(target, "target", minimum=0)
        if self.target > 9 or self.target == self.label:
            raise ValueError(f"target: expected a class in 0..9 other than the predicted {self.label}, got {target}")
        super().__init__(self._loss, self.image.size, batched=True, domain=(-self.image, 1.0 - self.image),
                         x0=np.zeros(self.image.size), name=f"digit_attack({self.label}->{self.target})")

    def _loss(self, D):
        logp = np.log(np.maximum(self.classifier.predict_proba(self.image + D), 1e-300))
        others = np.delete(logp, self.target, axis=1).max(axis=1)
        margin = np.maximum(others - logp[:, self.target], -self.kappa)
        return margin + self.c * np.sum(D * D, axis=1)

    def predict(self, delta):
        """The class the network gives ``image + delta``."""
        return int(self.classifier.predict((self.image + np.asarray(delta, float))[None, :])[0])


def classifier_attack(image=0, target=None, c=0.05, kappa=0.0, hidden=16, seed=0):
    """The targeted attack on a small digits classifier as a batched black box (:class:`ClassifierAttack`)."""
    return ClassifierAttack(image=image, target=target, c=c, kappa=kappa, hidden=hidden, seed=seed)
