import { Field, Int, ObjectType } from 'type-graphql';
import { Provider } from '../provider/provider.type';
import { ProviderErrorCode } from './common.enums';

@ObjectType({ description: 'Why one target was not created, and whether a retry with the same idempotency key can fix it.' })
export class ProviderFailure {
  @Field(() => Provider) provider: Provider;
  @Field(() => ProviderErrorCode) code: ProviderErrorCode;
  @Field(() => String) message: string;
  @Field(() => Int, { nullable: true, description: "The provider's HTTP status, when it answered." }) httpStatus?: number;
  @Field(() => Boolean) retryable: boolean;
  @Field(() => Int, { nullable: true }) retryAfterSeconds?: number;
  @Field(() => String, {
    nullable: true,
    description:
      "The provider's own id of this request, to quote to its support (the generic API's requestId), for a status below 500; a 5xx's is in the gateway's log only.",
  })
  upstreamRequestId?: string;
}
