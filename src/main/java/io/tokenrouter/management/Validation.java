package io.tokenrouter.management;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.quota.QuotaSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Field checks shared by the management resources; each failure names its field. */
final class Validation {

    private Validation() {
    }

    static <T> T required(T body) {
        if (body == null) {
            throw GatewayException.invalidRequest(null, "A JSON request body is required.");
        }
        return body;
    }

    /** Validates quota specs (null stays null: "leave quotas as they are"). */
    static List<QuotaSpec> quotas(List<QuotaSpec> specs) {
        if (specs == null) {
            return null;
        }
        List<QuotaSpec> result = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i) == null) {
                throw GatewayException.invalidRequest("quotas[" + i + "]", "A quota must be an object.");
            }
            QuotaSpec spec = specs.get(i).validated("quotas[" + i + "]");
            if (!seen.add(spec.metric() + "/" + spec.period())) {
                throw GatewayException.invalidRequest("quotas[" + i + "]",
                        "There is already a " + spec.period() + " " + spec.metric() + " quota.");
            }
            result.add(spec);
        }
        return result;
    }
}
