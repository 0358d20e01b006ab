"""The benchmark suite behind ``eagov bench``: a synthetic data generator at scale factors
(``datagen``), the measures (``measures``) and the run that writes docs/performance.md
(``runner``)."""
