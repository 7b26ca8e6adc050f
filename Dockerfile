# The operator's image: the shaded jar from `./mvnw -B package` (operator/target/osc-operator.jar) on a small
# JRE 17 base. Build the jar first, then: docker build -t osc-operator:0.1.0-SNAPSHOT .
# (This repository's CI has no container engine: it proves the jar, not this image.)
FROM eclipse-temurin:17-jre-alpine

# a fixed numeric user, the same as deploy/base/deployment.yaml's runAsUser, so runAsNonRoot can check it
RUN addgroup -S -g 10001 osc && adduser -S -D -H -u 10001 -G osc -h /app osc

WORKDIR /app
COPY --chown=10001:10001 operator/target/osc-operator.jar /app/osc-operator.jar

USER 10001:10001
# the heap cap of the Deployment; override with JAVA_TOOL_OPTIONS
ENV JAVA_TOOL_OPTIONS="-Xmx192m -XX:+ExitOnOutOfMemoryError"

ENTRYPOINT ["java", "-jar", "/app/osc-operator.jar"]
CMD ["operator"]
