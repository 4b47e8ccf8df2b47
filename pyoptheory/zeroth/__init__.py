"""Zeroth-order optimization (catalogue first-order.md section 5): gradient estimators from function values
(:mod:`pyoptheory.zeroth.estimators`).  Every estimator counts its function evaluations."""
from .estimators import (CoordinateEstimator, GaussianSmoothing, Objective, RandomVectorEstimator, SphereSmoothing)
from .attack import ClassifierAttack, classifier_attack
from .problems import PenalizedSVM, StochasticNorm, penalized_svm

__all__ = ["GaussianSmoothing", "SphereSmoothing", "CoordinateEstimator", "RandomVectorEstimator", "Objective",
           "StochasticNorm", "PenalizedSVM", "penalized_svm", "ClassifierAttack", "classifier_attack"]
