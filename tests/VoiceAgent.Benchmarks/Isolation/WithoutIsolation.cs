using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceAgent.Benchmarks.Isolation;

/// <summary>
/// The owner side of benchmark B6: <see cref="VoiceAgentDb"/>'s model with the isolation taken out of its global query
/// filters. Every tenant filter reads <c>IsPlatformScope || e.TenantId == CurrentTenantId</c>.
/// <see cref="TenantPredicateOnly"/> keeps the bare <c>e.TenantId == CurrentTenantId</c> — the WHERE an application without
/// isolation writes to show one tenant its own data — and <see cref="NoFilters"/> drops the filters for the cross-tenant
/// queries (platform scope). Used with the schema owner's connection, which row-level security does not apply to.
/// </summary>
internal static class WithoutIsolation
{
    public static void TenantPredicateOnly(IServiceCollection services) =>
        services.ConfigureDbContext<VoiceAgentDb>(o => o.ReplaceService<IModelCustomizer, TenantPredicateCustomizer>());

    public static void NoFilters(IServiceCollection services) =>
        services.ConfigureDbContext<VoiceAgentDb>(o => o.ReplaceService<IModelCustomizer, NoFilterCustomizer>());

    private abstract class StrippingCustomizer(ModelCustomizerDependencies dependencies) : RelationalModelCustomizer(dependencies)
    {
        public override void Customize(ModelBuilder modelBuilder, DbContext context)
        {
            base.Customize(modelBuilder, context);
            foreach (var entity in modelBuilder.Model.GetEntityTypes())
            {
                if (entity.FindDeclaredQueryFilter(null)?.Expression is not { } filter)
                {
                    continue;
                }

                // The shape VoiceAgentDb gives every tenant filter; anything else would be compared unknowingly, so it stops the run.
                if (filter.Body is not BinaryExpression { NodeType: ExpressionType.OrElse, Left: MemberExpression { Member.Name: "IsPlatformScope" } } or)
                {
                    throw new InvalidOperationException($"Query filter of {entity.DisplayName()} is not 'IsPlatformScope || …': {filter}");
                }

                entity.SetQueryFilter(Replace(filter, or.Right));
            }
        }

        protected abstract LambdaExpression? Replace(LambdaExpression filter, Expression tenantPredicate);
    }

    private sealed class TenantPredicateCustomizer(ModelCustomizerDependencies dependencies) : StrippingCustomizer(dependencies)
    {
        protected override LambdaExpression Replace(LambdaExpression filter, Expression tenantPredicate) =>
            Expression.Lambda(tenantPredicate, filter.Parameters);
    }

    private sealed class NoFilterCustomizer(ModelCustomizerDependencies dependencies) : StrippingCustomizer(dependencies)
    {
        protected override LambdaExpression? Replace(LambdaExpression filter, Expression tenantPredicate) => null;
    }
}
