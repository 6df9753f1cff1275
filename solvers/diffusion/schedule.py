"""The variance-preserving (VP) diffusion schedule and the timesteps DDIM visits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError


@dataclass(frozen=True)
class VPSchedule:
    """``x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps`` with ``abar_t = prod_{s<=t} (1 - beta_s)``
    and betas linear from ``beta_start`` to ``beta_end`` over ``train_steps`` (DDPM's).

    Examples
    --------
    >>> s = VPSchedule()
    >>> round(float(s.alpha_bar[0]), 6), bool(s.alpha_bar[-1] < 1e-4)
    (0.9999, True)
    >>> s.timesteps(50)[:3].tolist(), s.timesteps(50)[-1].item()
    ([980, 960, 940], 0)
    """

    train_steps: int = 1000
    beta_start: float = 1e-4
    beta_end: float = 0.02

    @property
    def alpha_bar(self) -> np.ndarray:
        betas = np.linspace(self.beta_start, self.beta_end, self.train_steps)
        return np.cumprod(1.0 - betas)

    def timesteps(self, steps: int) -> np.ndarray:
        """The training steps a ``steps``-step sampler visits, last to first (stride
        ``train_steps // steps``, as DDIM and DDS do)."""
        if not (isinstance(steps, int | np.integer) and 1 <= steps <= self.train_steps):
            raise ParameterError(f"steps must be an integer in [1, {self.train_steps}]; "
                                 f"got {steps!r}")
        stride = self.train_steps // int(steps)
        return np.arange(0, self.train_steps, stride)[::-1][:int(steps)]

    def noise_level(self, t) -> float:
        """``sigma = sqrt((1 - abar_t) / abar_t)``: the Gaussian noise of ``x_t / sqrt(abar_t)``
        around ``x_0``, the level a Gaussian denoiser is run at."""
        a = float(self.alpha_bar[int(t)])
        return float(np.sqrt((1.0 - a) / a))
