# escape=`
ARG V=1
FROM busybox:${V:-2} AS a
RUN echo `
  hi
FROM scratch
COPY --from=a /x /y
HEALTHCHECK --interval=5s CMD ["true"]
RUN <<EOF
set -e
echo $HOME
EOF
