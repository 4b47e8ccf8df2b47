"""Problems with exact constants and known optima.

Smooth: :func:`quadratic`, :func:`least_squares`, :func:`logistic`; composite:
:func:`lasso`, :func:`lasso_certified`; nonsmooth: :func:`l1_distance`,
:func:`max_affine`, :func:`hinge`; worst cases: :func:`huber_worst_case`,
:func:`subgradient_worst_case`, :func:`gd_quadratic_worst_case`,
:func:`prox_grad_worst_case`; real data: :func:`breast_cancer`, :func:`diabetes`;
last-iterate lower bound: :func:`harvey_lipschitz`; your own: :func:`smooth`,
:func:`black_box`.  Black-box landscapes (particle methods): :func:`sphere`, :func:`rastrigin`,
:func:`rastrigin_riedl`, :func:`ackley`, :func:`canyon`.  Stochastic oracles: :func:`finite_sum`, :func:`additive_noise`,
:func:`bounded_noise`.  Multi-class: :func:`softmax_regression`, :func:`jmlr_softmax`.  Fractional programs (coordinate descent, Dinkelbach):
:class:`FractionalQuadratic`, :func:`fractional_quadratic`.  Constraint sets: :class:`Ball`,
:class:`Box`, :class:`Simplex`.
"""
from .base import Constants, Problem
from .coordinate import (QuadraticForm, block_diagonal_quadratic, coordinate_quadratic, diagonal_quadratic,
                         label_propagation, lattice_graph)
from .catalog import (breast_cancer, diabetes, gd_quadratic_worst_case, hinge, huber_worst_case, l1_distance,
                      lasso, lasso_certified, least_squares, logistic, max_affine, prox_grad_worst_case, quadratic,
                      sparse_regression, subgradient_worst_case)
from .fractional import FractionalQuadratic, fractional_quadratic
from .landscapes import Landscape, ackley, canyon, rastrigin, rastrigin_riedl, sphere
from .last_iterate import harvey_lipschitz
from .linear import LinearModel
from .multiclass import SoftmaxRegression, jmlr_softmax, softmax_regression
from .momentum import heavy_ball_counterexample, nesterov_chain
from .oracles import StochasticProblem, additive_noise, anisotropic_noise, bounded_noise, finite_sum
from .sets import L1, MCP, SCAD, Ball, Box, Simplex, project_simplex
from .user import black_box, smooth

__all__ = ["Problem", "Constants", "LinearModel", "quadratic", "least_squares", "logistic", "lasso",
           "lasso_certified", "l1_distance", "max_affine", "hinge", "huber_worst_case", "subgradient_worst_case",
           "gd_quadratic_worst_case", "prox_grad_worst_case", "breast_cancer", "diabetes", "smooth", "black_box",
           "Ball", "Box", "Simplex", "L1", "project_simplex", "harvey_lipschitz", "StochasticProblem",
           "finite_sum", "additive_noise", "bounded_noise", "nesterov_chain", "heavy_ball_counterexample",
           "anisotropic_noise", "sparse_regression", "SCAD", "MCP", "QuadraticForm", "coordinate_quadratic",
           "diagonal_quadratic", "label_propagation", "block_diagonal_quadratic", "lattice_graph", "Landscape",
           "sphere", "rastrigin", "rastrigin_riedl", "ackley", "canyon", "FractionalQuadratic",
           "fractional_quadratic", "SoftmaxRegression", "softmax_regression", "jmlr_softmax"]
