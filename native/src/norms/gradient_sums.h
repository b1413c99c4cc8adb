// Double accumulators for parameter gradients, written out once as floats at the end.
#ifndef NORM4J_GRADIENT_SUMS_H
#define NORM4J_GRADIENT_SUMS_H

#include <cstdint>
#include <vector>

namespace norm4j {

struct ParamGradients {
    std::vector<double> dw, db;

    explicit ParamGradients(int64_t channels)
        : dw(static_cast<size_t>(channels), 0.0), db(static_cast<size_t>(channels), 0.0) {}

    void add(const ParamGradients &other) {
        for (size_t i = 0; i < dw.size(); ++i) {
            dw[i] += other.dw[i];
            db[i] += other.db[i];
        }
    }

    void write(float *dweight, float *dbias) const {
        for (size_t i = 0; i < dw.size(); ++i) {
            if (dweight != nullptr) dweight[i] = static_cast<float>(dw[i]);
            if (dbias != nullptr) dbias[i] = static_cast<float>(db[i]);
        }
    }
};

}  // namespace norm4j

#endif
