# OnDemand Gateway: one self-contained single-file binary on the runtime-deps image, non-root, port 7860.
# Settings come from environment variables (e.g. Hugging Face Space secrets): PRIVATE_KEY or API_ACCESS_TOKEN,
# ONDEMAND_API_KEYS and/or ONDEMAND_ACCOUNTS, DATABASE_URL (PostgreSQL for several instances; default SQLite
# in /data). The build stage runs exactly the publish command documented in README "Deployment".
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/OnDemandGateway -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -o /out

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
WORKDIR /app
# The publish output: the OnDemandGateway executable plus the native SQLite library next to it.
COPY --from=build /out/ /app/
# Writable by whichever non-root uid the platform runs the image as (Hugging Face Spaces use 1000).
RUN mkdir -p /data && chmod 0777 /data
ENV PORT=7860 \
    DATA_DIR=/data \
    DOTNET_NOLOGO=1
VOLUME /data
EXPOSE 7860
# The .NET images' built-in non-root user.
USER $APP_UID
ENTRYPOINT ["/app/OnDemandGateway"]
