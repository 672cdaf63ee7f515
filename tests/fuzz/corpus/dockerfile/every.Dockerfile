# syntax=docker/dockerfile:1
# escape=\
ARG BASE=busybox
FROM ${BASE}:latest AS base
ARG GREETING=hello
ARG UNSET
ENV APP_HOME=/app \
    MODE="prod mode" \
    FALLBACK=${UNSET:-fallback}
LABEL org.example.name="demo app" version=1
WORKDIR $APP_HOME
COPY src/ ./src/
COPY *.conf /etc/app/
COPY --chown=app:app --chmod=640 src/a.txt /app/owned.txt
ADD bundle.tar.gz /opt/
RUN echo "$GREETING $MODE $FALLBACK" > /app/greeting.txt && rm /etc/app/two.conf
RUN ["/bin/sh", "-c", "echo exec-form > /app/exec.txt"]
SHELL ["/bin/sh", "-ec"]
RUN <<EOT
echo heredoc > /app/heredoc.txt
EOT
COPY <<EOF /app/generated.txt
made for ${GREETING}
EOF
EXPOSE 8080 53/udp
VOLUME ["/data"]
USER app
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/bin/true"]
STOPSIGNAL SIGINT
ONBUILD RUN echo triggered
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting.txt"]
