// The integer codes the backends share, exported as ``_core.CODES``: {enum name: {member name: value}}.
// The values come from the C++ enumerations themselves; tests/test_codes.py checks every code Python uses
// against this table, so a code changed on one side only fails the suite instead of running the wrong branch.
#include <pybind11/pybind11.h>

#include <initializer_list>
#include <utility>

#include "pyoptheory/bcd.hpp"
#include "pyoptheory/bilevel.hpp"
#include "pyoptheory/cbo.hpp"
#include "pyoptheory/first_order.hpp"
#include "pyoptheory/fractional.hpp"
#include "pyoptheory/linear_model.hpp"
#include "pyoptheory/online.hpp"
#include "pyoptheory/philox.hpp"

namespace py = pybind11;

namespace {

py::dict table(std::initializer_list<std::pair<const char*, long long>> members) {
  py::dict out;
  for (const auto& member : members) out[member.first] = member.second;
  return out;
}

}  // namespace

void export_codes(py::module_& mod) {
  namespace P = pyoptheory;
  namespace B = pyoptheory::bilevel;
  namespace F = pyoptheory::fractional;
  py::dict codes;
  codes["Method"] = table({{"PROX_GRAD", P::PROX_GRAD}, {"PROX_GRAD_BACKTRACK", P::PROX_GRAD_BACKTRACK},
                           {"SUBGRADIENT", P::SUBGRADIENT}, {"SUBGRADIENT_POLYAK", P::SUBGRADIENT_POLYAK},
                           {"SGD", P::SGD}, {"AGD", P::AGD}, {"AGD_SIMPLE", P::AGD_SIMPLE}, {"AGD_SC", P::AGD_SC},
                           {"HEAVY_BALL", P::HEAVY_BALL}, {"SHB", P::SHB}, {"NONCONVEX_AG", P::NONCONVEX_AG},
                           {"ZO_GAUSS", P::ZO_GAUSS}, {"ZO_CGE", P::ZO_CGE}, {"ZO_ACCEL", P::ZO_ACCEL}});
  codes["Scal"] = table({{"S_FX", P::S_FX}, {"S_BEST_F", P::S_BEST_F}, {"S_WSUM", P::S_WSUM}, {"S_LK", P::S_LK},
                         {"S_GRAD_EVALS", P::S_GRAD_EVALS}, {"S_FEVALS", P::S_FEVALS}, {"S_FAIL_ITER", P::S_FAIL_ITER},
                         {"S_F_STAR", P::S_F_STAR}, {"S_LAMBDA", P::S_LAMBDA}, {"S_FPREV", P::S_FPREV},
                         {"S_BETA", P::S_BETA}, {"S_RESTART", P::S_RESTART}, {"S_BACKTRACK", P::S_BACKTRACK},
                         {"S_RESTARTS", P::S_RESTARTS}, {"S_MU", P::S_MU}, {"S_SIZE", P::S_SIZE}});
  codes["Status"] = table({{"OK", P::OK}, {"NONFINITE", P::NONFINITE}, {"BACKTRACK_FAILED", P::BACKTRACK_FAILED},
                           {"CONVERGED", P::CONVERGED}});
  codes["Loss"] = table({{"SQUARED", P::SQUARED}, {"LOGISTIC", P::LOGISTIC}, {"HINGE", P::HINGE},
                         {"ABSOLUTE", P::ABSOLUTE}, {"HUBER", P::HUBER}, {"AFFINE", P::AFFINE}});
  codes["Reduce"] = table({{"SUM", P::SUM}, {"MAX", P::MAX}});
  codes["Reg"] = table({{"REG_NONE", P::REG_NONE}, {"REG_L1", P::REG_L1}, {"REG_BALL", P::REG_BALL},
                        {"REG_BOX", P::REG_BOX}, {"REG_SIMPLEX", P::REG_SIMPLEX}, {"REG_SCAD", P::REG_SCAD},
                        {"REG_MCP", P::REG_MCP}});
  codes["Penalty"] = table({{"PEN_NONE", P::PEN_NONE}, {"PEN_SCAD", P::PEN_SCAD}, {"PEN_MCP", P::PEN_MCP}});
  codes["BcdRule"] = table({{"cyclic", P::BCD_CYCLIC}, {"given", P::BCD_GIVEN}, {"gs", P::BCD_GS},
                            {"gsl", P::BCD_GSL}, {"gs_r", P::BCD_GS_R}, {"gs_q", P::BCD_GS_Q}});
  codes["BcdReg"] = table({{"none", P::BCD_NONE}, {"l1", P::BCD_L1}, {"box", P::BCD_BOX}});
  codes["BcdBlockRule"] = table({{"cyclic", P::BB_CYCLIC}, {"given", P::BB_GIVEN}, {"gs", P::BB_GS},
                                 {"gsl", P::BB_GSL}, {"gsd", P::BB_GSD}, {"gsq", P::BB_GSQ}, {"gs_r", P::BB_GS_R},
                                 {"gs_q", P::BB_GS_Q}});
  codes["BcdUpdate"] = table({{"gradient", P::BU_GRADIENT}, {"diagonal", P::BU_DIAGONAL}, {"matrix", P::BU_MATRIX},
                              {"two_metric", P::BU_TWO_METRIC}, {"projected_newton", P::BU_PROJECTED_NEWTON}});
  codes["Glm"] = table({{"GLM_LOGISTIC", P::GLM_LOGISTIC}, {"GLM_SQUARED", P::GLM_SQUARED},
                        {"GLM_SOFTMAX", P::GLM_SOFTMAX}});
  codes["BilevelKind"] = table({{"QUADRATIC", B::QUADRATIC}, {"RIDGE", B::RIDGE}, {"TOY", B::TOY}});
  codes["BilevelLevel"] = table({{"F", B::F}, {"G", B::G}});
  codes["Landscape"] = table({{"user", P::LS_USER}, {"quadratic", P::LS_QUADRATIC}, {"rastrigin", P::LS_RASTRIGIN},
                              {"ackley", P::LS_ACKLEY}, {"canyon", P::LS_CANYON}});
  codes["CboMove"] = table({{"isotropic", P::MOVE_ISOTROPIC}, {"anisotropic", P::MOVE_ANISOTROPIC},
                            {"hop", P::MOVE_HOP}});
  codes["CboSchedule"] = table({{"fixed", P::SCHED_FIXED}, {"geometric", P::SCHED_GEOMETRIC}, {"ess", P::SCHED_ESS}});
  codes["CboStatus"] = table({{"OK", P::CBO_OK}, {"NONFINITE", P::CBO_NONFINITE},
                              {"NO_FINITE_VALUE", P::CBO_NO_FINITE_VALUE}});
  codes["OnlineLearner"] = table({{"ogd", P::OL_OGD}, {"oomd", P::OL_OOMD}, {"oftrl", P::OL_OFTRL},
                                  {"oons", P::OL_OONS}, {"ons", P::OL_ONS}});
  codes["OnlineStepRule"] = table({{"fixed", P::OS_FIXED}, {"horizon", P::OS_HORIZON}, {"adaptive", P::OS_ADAPTIVE},
                                   {"sea", P::OS_SEA}, {"strongly_convex", P::OS_STRONG}});
  codes["OnlineScalars"] = table({{"S_V", P::OS_V}, {"S_LOSS", P::OS_LOSS}, {"S_FLOSS", P::OS_FLOSS},
                                  {"S_YY", P::OS_YY}, {"S_CC", P::OS_CC}, {"S_ETA", P::OS_ETA},
                                  {"S_GMAX", P::OS_GMAX}});
  codes["FractionalScalars"] = table({{"S_NSMOOTH", F::S_NSMOOTH}, {"S_L1", F::S_L1}, {"S_DEN", F::S_DEN}});
  codes["StreamTag"] = table({{"STREAM_NOISE", P::STREAM_NOISE}, {"STREAM_BATCH", P::STREAM_BATCH}});
  mod.attr("CODES") = codes;
}
