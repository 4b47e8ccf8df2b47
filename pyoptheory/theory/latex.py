r"""Each theorem's bound as LaTeX (the documentation renders it; ``Theorem.statement`` is the plain-text form)."""

_LAST = (r"\mathbb E f(x_{T+1}) - f^\star \le \min_{\eta_{T+1} > 0} \Big[\frac{D^2 + \sum_{t\le T+1}\eta_t^2 G^2}"
         r"{2\sum_{t\le T+1}\eta_t} + \frac12\sum_{k\le T}\frac{\eta_k}{\sum_{t>k}\eta_t}\,"
         r"\frac{\sum_{t\ge k}\eta_t^2G^2}{\sum_{t\ge k}\eta_t}\Big]")
_BLOCK = r"F(x_T) - F^\star \le (1 - \mu_M)^T\,(F(x_0) - F^\star)"
_FG = (r"\mathbb E f(x_k) - f^\star \le \psi_k\Big[f(x_0) - f^\star + \frac{\gamma_0}{2}\|x_0 - x^\star\|^2\Big] "
       r"+ s^2 L\Big(n + \frac{3(n+8)C_k}{16}\Big)")

LATEX = {
    "gd.convex.smooth": r"f(x_T) - f^\star \le \frac{L\|x_0 - x^\star\|^2}{4TL\gamma + 2}",
    "gd.quadratic": (r"f(x_T) - f^\star \le \frac L2 \max\big(\alpha(1 - \alpha L\gamma)^{2T}, (1 - L\gamma)^{2T}\big)"
                     r"\|x_0 - x^\star\|^2,\ \alpha = \mathrm{proj}_{[\mu/L,1]}\frac{1}{L\gamma(2T+1)}"),
    "proximal_gd.strongly_convex": (r"\|x_T - x^\star\|^2 \le \max\big((1 - L\gamma)^2, (1 - \mu\gamma)^2\big)^T"
                                    r"\|x_0 - x^\star\|^2"),
    "proximal_gd.convex": r"F(x_T) - F^\star \le \frac{L\|x_0 - x^\star\|^2}{2T}",
    "projected_gd.convex": r"f(x_T) - f^\star \le \frac{L\|x_0 - x^\star\|^2}{2T}",
    "gd_armijo.convex": r"F(x_T) - F^\star \le \frac{\max(\eta L, 1/\gamma_0)\|x_0 - x^\star\|^2}{2T}",
    "subgradient.best.constant": (r"\min_{0\le t\le T} f(x_t) - f^\star \le \frac{G\|x_0 - x^\star\|}{\sqrt{T+1}},"
                                  r"\ \gamma = \frac{\|x_0 - x^\star\|}{G\sqrt{T+1}}"),
    "subgradient.average.constant": (r"f(\bar x_T) - f^\star \le \frac{G\|x_0 - x^\star\|}{\sqrt T},\ "
                                     r"\gamma = \frac{\|x_0 - x^\star\|}{G\sqrt T}"),
    "subgradient.average.sqrt": (r"f(\bar x_T) - f^\star \le \frac{D_0^2 + G^2\sum_t\gamma_t^2}{2\sum_t\gamma_t}"
                                 r" \le \frac{D_0G(2 + \ln T)}{4(\sqrt{T+1} - 1)},\ \gamma_t = \frac{D_0}{G\sqrt{t+1}}"),
    "sgd.subgradient.convex": (r"\mathbb E f(\bar x_T) - f^\star \le \frac{D_0^2 + B^2\sum_t\gamma_t^2}"
                               r"{2\sum_t\gamma_t} = \frac{D_0B}{\sqrt T}"),
    "sgd.subgradient.convex.sqrt": (r"\mathbb E f(\bar x_T) - f^\star \le \frac{D_0^2 + B^2\sum_t\gamma_t^2}"
                                    r"{2\sum_t\gamma_t} \le \frac{D_0B(2 + \ln T)}{4(\sqrt{T+1} - 1)}"),
    "sgd.strongly_convex.lsb": (r"\mathbb E f(\bar x_k) - f^\star \le \frac{2B^2}{\mu(k+1)},\ "
                                r"\bar x_k = \frac{2}{k(k+1)}\sum_{t\le k} t\,x_t"),
    "sgd.smooth.average": (r"\mathbb E f(\bar x_T) - f^\star \le \frac{D_0^2}{2\gamma(1 - 2\gamma L_{\max})T} + "
                           r"\frac{\gamma\sigma_\star}{1 - 2\gamma L_{\max}}"),
    "sgd.strongly_convex.constant": (r"\mathbb E\|x_T - x^\star\|^2 \le (1 - \gamma\mu)^T\|x_0 - x^\star\|^2 + "
                                     r"\frac{2\gamma\sigma_\star}{\mu}"),
    "sgd.strongly_convex.switching": (r"\mathbb E\|x_T - x^\star\|^2 \le \frac{16\lceil K\rceil^2D_0^2}{e^2T^2} + "
                                      r"\frac{8\sigma_\star}{\mu^2T},\ K = L_{\max}/\mu"),
    "proximal_sgd.strongly_convex": (r"\mathbb E\|x_T - x^\star\|^2 \le (1 - \gamma\mu)^T\|x_0 - x^\star\|^2 + "
                                     r"\frac{2\gamma\sigma_F^\star}{\mu}"),
    "proximal_sgd.convex": (r"\mathbb E F(\bar x_T) - F^\star \le \frac{D_0^2 + 8\gamma^2L_{\max}(F(x_0) - F^\star)}"
                            r"{2\gamma(1 - 4\gamma L_{\max})T} + \frac{2\gamma\sigma_F^\star}{1 - 4\gamma L_{\max}}"),
    "sgd.last_iterate.constant": _LAST,
    "sgd.last_iterate.linear_decay": _LAST,
    "sgd.last_iterate.cosine": _LAST,
    "sgd.last_iterate.wsd": _LAST,
    "sgd.last_iterate.shamir_zhang": r"\mathbb E f(x_T) - f^\star \le \Big(\frac{D^2}{c} + cG^2\Big)\frac{2 + \ln T}{\sqrt T}",
    "sgd.last_iterate.shamir_zhang.strongly_convex": r"\mathbb E f(x_T) - f^\star \le \frac{17G^2(1 + \ln T)}{\lambda T}",
    "sgd.strongly_convex.suffix": r"\mathbb E f(\bar x_{\mathrm{suffix}}) - f^\star = O\Big(\frac{G^2}{\mu T}\Big)",
    "proximal_sgd.last_iterate.liu_zhou": (r"\mathbb E F(x_{T+1}) - F^\star = O\Big(\frac{LD^2}{T} + "
                                           r"\Big(\frac{D^2}{\eta} + \eta\sigma^2\Big)\frac{\log T}{\sqrt T}\Big)"),
    "agd.convex": (r"f(x_T) - f^\star \le \frac{L\|x_0 - x^\star\|^2}{2\lambda_T^2} \le "
                   r"\frac{2L\|x_0 - x^\star\|^2}{(T+1)^2}"),
    "agd.convex.simple": r"f(x_T) - f^\star \le \frac{2L\|x_0 - x^\star\|^2}{T^2 + 5T + 6}",
    "agd.strongly_convex": (r"f(x_T) - f^\star \le \Big(1 - \sqrt{\mu/L}\Big)^T\Big(f(x_0) - f^\star + "
                            r"\frac\mu2\|x_0 - x^\star\|^2\Big)"),
    "fista.convex": (r"F(x_T) - F^\star \le \frac{L\|x_0 - x^\star\|^2}{2\lambda_T^2} \le "
                     r"\frac{2L\|x_0 - x^\star\|^2}{(T+1)^2}"),
    "fista.simple": r"F(x_T) - F^\star \le \frac{2L\|x_0 - x^\star\|^2}{T^2 + 5T + 2}",
    "fista.backtracking": r"F(x_T) - F^\star \le \frac{2\max(\eta L, L_0)\|x_0 - x^\star\|^2}{(T+1)^2}",
    "heavy_ball.quadratic": (r"\|x_T - x^\star\| \le (2T+1)\rho^T\|x_0 - x^\star\|,\ "
                             r"\rho = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}"),
    "heavy_ball.strongly_convex": r"f(x_T) - f^\star \le (1 - \alpha\mu)^T(f(x_0) - f^\star)",
    "nonconvex_ag.stationarity": (r"\min_{k\le N}\|G_\beta(x^{md}_k)\|^2 = O\Big(\frac{L_f(\Psi(x_0) - \Psi^\star)}"
                                  r"{N}\Big)"),
    "sinkhorn.hilbert": (r"\frac{\mathrm{osc}(f_T - f^\star)}{\varepsilon} \le \kappa^{2T-1}\,"
                         r"\frac{\mathrm{osc}(g_0 - g^\star)}{\varepsilon},\ \kappa = \tanh\frac{D_C}{4\varepsilon}"),
    "sinkhorn.marginal_error": r"\min_{k\le T}\|P_k\mathbf 1 - a\|_1 \le \sqrt{\frac{2\log(s/l)}{T}}",
    "bcd.gs": r"F(x_T) - F^\star \le \Big(1 - \frac{\mu_1}{L}\Big)^T(F(x_0) - F^\star)",
    "bcd.gsl": r"F(x_T) - F^\star \le (1 - \mu_L)^T(F(x_0) - F^\star)",
    "bcd.uniform": r"\mathbb E F(x_T) - F^\star \le \Big(1 - \frac{\mu}{dL}\Big)^T(F(x_0) - F^\star)",
    "bcd.lipschitz": r"\mathbb E F(x_T) - F^\star \le \Big(1 - \frac{\mu}{d\bar L}\Big)^T(F(x_0) - F^\star)",
    "bcd.block_gs": _BLOCK,
    "bcd.block_gsl": _BLOCK,
    "bcd.block_gsd": _BLOCK,
    "bcd.block_gsq": _BLOCK,
    "cbo.isotropic.decay": r"V(t) \le V(0)\,e^{-(1-\tau)(2\lambda - d\sigma^2)t}",
    "cbo.anisotropic.decay": r"V(t) \le V(0)\,e^{-(1-\tau)(2\lambda - \sigma^2)t}",
    "ogd.regret": r"\mathrm{regret}_T \le DG\sqrt T,\ \eta = \frac{D}{G\sqrt T}",
    "oomd.sea.slope": r"\mathbb E\,\mathrm{regret}_T = O\Big(\sqrt{\sigma^2_{1:T}} + \sqrt{\Sigma^2_{1:T}}\Big)",
    "oomd.fixed.bounded": r"\mathrm{regret}_T = O(1)\ \text{for one fixed } f",
    "oomd.strongly_convex.log": (r"\mathbb E\,\mathrm{regret}_T = O\Big(\frac{(\sigma^2_{\max} + \Sigma^2_{\max})"
                                 r"\log T}{\mu}\Big)"),
    "ons.exp_concave": r"\mathrm{regret}_T \le 5\Big(\frac1\alpha + GD\Big)d\log T",
    "bilevel.penalty_gap": (r"0 \le \psi(x) - \psi_\sigma(x) \le \frac{\sigma\|\nabla_y f(x, y^\star(x))\|^2}"
                            r"{2(\mu - \sigma l_f)}"),
    "bilevel.penalty.quadratic": (r"\psi(x_T) - \psi^\star \le \frac{\sigma(1+\sigma)\,\psi_\sigma(x_0)}{1 - \sigma} + "
                                  r"\Big(1 - \frac{\rho}{L_\sigma}\Big)^{2T}(\psi_\sigma(x_0) - \psi_\sigma^\star)"),
    "zo_gd.cge": r"\min_{k<T}\|\nabla f(x_k)\|^2 \le \frac{2(f(x_0) - f^\star)}{hT} + \frac{L^2s^2d}{4}",
    "zo_rgf.smooth.average": (r"\mathbb E f(\bar x_N) - f^\star \le \frac{4(n+4)L\|x_0 - x^\star\|^2}{N+1} + "
                              r"\frac{9s^2(n+4)^2L}{25}"),
    "zo_rgf.strongly_convex": (r"\mathbb E f(x_N) - f^\star \le \frac L2\Big[\delta_s + \Big(1 - \frac{\tau}{8(n+4)L}"
                               r"\Big)^N(\|x_0 - x^\star\|^2 - \delta_s)\Big],\ \delta_s = \frac{18s^2(n+4)^2L}{25\tau}"),
    "zo_accelerated.convex": _FG,
    "zo_accelerated.strongly_convex": _FG,
    "gfm.smoothed": (r"\mathbb E\|\nabla f_\delta(x_R)\|^2 \le \frac{\Delta + 2\delta L}{\eta T} + "
                     r"\frac{\ell\eta\sigma^2}{2}"),
    "zo_random_search.nonsmooth": (r"\mathbb E f(\bar x_N) - f^\star \le sL_0\sqrt n + "
                                   r"\frac{(n+4)L_0R}{\sqrt{N+1}}"),
}
