// The functions every ISA implements, declared once. Included inside an ISA's namespace
// (norm4j::scalar, norm4j::avx2, norm4j::avx512) by that ISA's header; see kernels.h for what each does.
// No include guard: it is meant to be included once per namespace.
double sum(const float *x, int64_t n);
double centred_square_sum(const float *x, int64_t n, double mean);
double square_sum(const float *x, int64_t n);
void pivoted_sums(const float *x, int64_t n, double pivot, double *s1, double *s2);
void normalize(const float *x, float *y, int64_t n, const CentringConstants &c, const float *w,
               const float *b);
void normalize_then_sums(const float *x, float *y, int64_t n, const CentringConstants &c,
                         const float *w, const float *b, const float *next, double pivot, double *s1,
                         double *s2);
void normalize_uniform(const float *x, float *y, int64_t n, const CentringConstants &c, float w,
                       float b, bool around_caches);
void backward_sums(const float *x, const float *dy, int64_t n, float mean, float rstd,
                   const float *w, double *sum_g, double *sum_gxhat, double *dw, double *db,
                   bool start);
void backward_sums_rows(const float *x, const float *dy, int64_t rows, int64_t n, int64_t stride,
                        const float *mean, const float *rstd, const float *w, double *sum_g,
                        double *sum_gxhat, double *dw, double *db, bool start);
void backward_row_sums(const float *x, const float *dy, int64_t n, float mean, float rstd, const float *w,
                       double *sum_g, double *sum_gxhat, float *dw);
void backward_dx(const float *x, const float *dy, float *dx, int64_t n, float mean, float rstd,
                 const float *w, float w_uniform, float a, float b, bool around_caches);
void store_as_floats(const double *src, float *dst, int64_t n);
void column_sums(const float *x, int64_t rows, int64_t cols, double *acc);
void column_centred_square_sums(const float *x, int64_t rows, int64_t cols, const double *mean,
                                double *acc);
void column_pivoted_sums(const float *x, int64_t rows, int64_t cols, const float *pivot,
                         double *s1, double *s2);
void normalize_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                       const float *scale, const float *shift, bool around_caches, bool from_memory);
void column_backward_sums(const float *x, const float *dy, int64_t rows, int64_t cols,
                          const float *mean, const float *rstd, double *sum_dy,
                          double *sum_dy_xhat, bool from_memory);
void column_backward_dx(const float *x, const float *dy, float *dx, int64_t rows, int64_t cols,
                        const float *mean, const float *rstd, const float *k_dy, const float *k_x,
                        const float *k_0, bool around_caches,
                        bool from_memory);
void column_min_max(const float *x, int64_t rows, int64_t cols, float *mn, float *mx);
void scale_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *sub,
                   const float *scale, const float *add);

void pivoted_sums_bf16(const bf16 *x, int64_t n, double pivot, double *s1, double *s2);
double square_sum_bf16(const bf16 *x, int64_t n);
void normalize_bf16(const bf16 *x, bf16 *y, int64_t n, const CentringConstants &c, const float *w, const float *b);
void normalize_then_sums_bf16(const bf16 *x, bf16 *y, int64_t n, const CentringConstants &c, const float *w,
                              const float *b, const bf16 *next, double pivot, double *s1, double *s2);
void pivoted_sums_f16(const f16 *x, int64_t n, double pivot, double *s1, double *s2);
double square_sum_f16(const f16 *x, int64_t n);
void normalize_f16(const f16 *x, f16 *y, int64_t n, const CentringConstants &c, const float *w, const float *b);
void normalize_then_sums_f16(const f16 *x, f16 *y, int64_t n, const CentringConstants &c, const float *w,
                             const float *b, const f16 *next, double pivot, double *s1, double *s2);
void backward_sums_rows_bf16(const bf16 *x, const bf16 *dy, int64_t rows, int64_t n, int64_t stride,
                             const float *mean, const float *rstd, const float *w, double *sum_g, double *sum_gxhat,
                             double *dw, double *db, bool start);
void backward_dx_bf16(const bf16 *x, const bf16 *dy, bf16 *dx, int64_t n, float mean, float rstd, const float *w,
                      float w_uniform, float a, float b, bool around_caches);
void backward_sums_rows_f16(const f16 *x, const f16 *dy, int64_t rows, int64_t n, int64_t stride,
                            const float *mean, const float *rstd, const float *w, double *sum_g, double *sum_gxhat,
                            double *dw, double *db, bool start);
void backward_dx_f16(const f16 *x, const f16 *dy, f16 *dx, int64_t n, float mean, float rstd, const float *w,
                     float w_uniform, float a, float b, bool around_caches);
void bf16_to_floats(const bf16 *src, float *dst, int64_t n);
void floats_to_bf16(const float *src, bf16 *dst, int64_t n);
void f16_to_floats(const f16 *src, float *dst, int64_t n);
void floats_to_f16(const float *src, f16 *dst, int64_t n);
void add_arrays(const float *a, const float *b, float *out, int64_t n, bool around_caches);
void add_arrays_bf16(const bf16 *a, const bf16 *b, bf16 *out, int64_t n, bool around_caches);
void add_arrays_f16(const f16 *a, const f16 *b, f16 *out, int64_t n, bool around_caches);
void copy_floats(const float *src, float *dst, int64_t n, bool around_caches);
void activate(float *y, int64_t n, int kind);
void activation_gradient_plane(const float *x, const float *dy, float *dpre, int64_t n, const PreActivation &p,
                               int kind);
void activation_gradient_row(const float *x, const float *dy, float *dpre, int64_t c, const PreActivationColumns &p,
                             int kind);
void normalize_uniform_activated(const float *x, float *y, int64_t n, const CentringConstants &c, float w, float b,
                                 bool around_caches, int kind);
void normalize_columns_activated(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                                 const float *scale, const float *shift, bool around_caches, bool from_memory,
                                 int kind);
void column_pivoted_sums_bf16(const bf16 *x, int64_t rows, int64_t cols, const float *pivot, double *s1, double *s2);
void column_pivoted_sums_f16(const f16 *x, int64_t rows, int64_t cols, const float *pivot, double *s1, double *s2);
void column_backward_sums_bf16(const bf16 *x, const bf16 *dy, int64_t rows, int64_t cols, const float *mean,
                               const float *rstd, double *sum_dy, double *sum_dy_xhat, bool from_memory);
void column_backward_sums_f16(const f16 *x, const f16 *dy, int64_t rows, int64_t cols, const float *mean,
                              const float *rstd, double *sum_dy, double *sum_dy_xhat, bool from_memory);
void column_backward_dx_bf16(const bf16 *x, const bf16 *dy, bf16 *dx, int64_t rows, int64_t cols, const float *mean,
                             const float *rstd, const float *k_dy, const float *k_x, const float *k_0,
                             bool around_caches, bool from_memory);
void column_backward_dx_f16(const f16 *x, const f16 *dy, f16 *dx, int64_t rows, int64_t cols, const float *mean,
                            const float *rstd, const float *k_dy, const float *k_x, const float *k_0,
                            bool around_caches, bool from_memory);
void normalize_columns_activated_bf16(const bf16 *x, bf16 *y, int64_t rows, int64_t cols, const float *hi,
                                      const float *scale, const float *shift, bool around_caches, bool from_memory,
                                      int kind);
void normalize_columns_activated_f16(const f16 *x, f16 *y, int64_t rows, int64_t cols, const float *hi,
                                     const float *scale, const float *shift, bool around_caches, bool from_memory,
                                     int kind);

// The table of those functions, for the ISA whose namespace this is included in.
extern const KernelTable kTable;
